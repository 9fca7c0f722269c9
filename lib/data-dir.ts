import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { serverEnv } from './env';

/**
 * Everything Tether keeps on disk lives under one data root:
 *   workspaces/<name>/files   the agent's working folder (the only place its tools may touch)
 *   workspaces/<name>/workspace.json   the workspace's settings, outside the agent's reach
 *   claude/   the CLI's config dir and transcripts   tmp/   the CLI's temp files
 *   db/       the embedded PGlite database          session-secret   cookie signing key
 */
export function dataPath(...segments: string[]): string {
  const root = serverEnv().dataDir;
  const resolved = path.resolve(root, ...segments);
  if (resolved !== root && !resolved.startsWith(root + path.sep)) {
    throw new Error(`Path escapes the data root: ${segments.join('/')}`);
  }
  return resolved;
}

/** Like dataPath, and makes sure the folder exists. */
export function dataDir(...segments: string[]): string {
  const dir = dataPath(...segments);
  mkdirSync(dir, { recursive: true });
  return dir;
}
