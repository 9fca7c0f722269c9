import 'server-only';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { conversationsForSessions } from '@/features/conversations/server';
import { dataPath } from '@/lib/data-dir';
import { logger } from '@/lib/logger';
import { agentHome, agentProjectKey } from '@/features/sandbox/server';

/**
 * Before each conversation had a home of its own, every conversation's transcript sat in one
 * folder per instance (`<data>/claude/projects/<key>/`), next to a memory folder they all shared.
 * At start, each transcript an unexpired conversation still continues moves into that
 * conversation's home (where its CLI resumes it); the rest, the shared memory and the old shared
 * home and temp folders are deleted. Returns how many moved.
 */
export async function moveLegacyTranscripts(): Promise<number> {
  const legacy = dataPath('claude');
  if (!existsSync(legacy)) return 0;
  const projects = path.join(legacy, 'projects');
  const found = existsSync(projects)
    ? readdirSync(projects).flatMap((key) =>
        readdirSync(path.join(projects, key))
          .filter((name) => name.endsWith('.jsonl'))
          .map((name) => ({ key, sessionId: name.slice(0, -'.jsonl'.length) })),
      )
    : [];
  const owners = await conversationsForSessions(found.map((file) => file.sessionId));
  let moved = 0;
  for (const { key, sessionId } of found) {
    const conversationId = owners[sessionId];
    if (!conversationId) continue;
    const target = path.join(agentHome(conversationId), '.claude', 'projects', agentProjectKey(key));
    mkdirSync(target, { recursive: true });
    // The transcript, and the folder of its subagents' transcripts and tool results, if any.
    for (const name of [`${sessionId}.jsonl`, sessionId]) {
      const from = path.join(projects, key, name);
      if (existsSync(from)) renameSync(from, path.join(target, name));
    }
    moved += 1;
  }
  for (const old of [legacy, dataPath('agent-home'), dataPath('tmp')]) rmSync(old, { recursive: true, force: true });
  logger.info("moved transcripts into their conversations' homes", { moved, deleted: found.length - moved });
  return moved;
}
