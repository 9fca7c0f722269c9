import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { serverEnv } from './env';

/**
 * What Tether keeps on disk lives under one data root:
 *   workspaces/<name>/files   the agent's working folder (the only place its tools may touch),
 *                             and workspace.json beside it (unless TETHER_WORKSPACES_DIR is elsewhere)
 *   agents/<conversation>/    each conversation's agent home: CLI config, transcript, temp files
 *   agent-spares/<pid>/<id>/  pre-warmed agents' homes, until a conversation adopts one (renamed into agents/)
 *   db/                       the embedded PGlite database
 *   session-secret, vapid.json   generated keys (when not set in the environment)
 *   instance-id               which runs in a shared database are this instance's
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
