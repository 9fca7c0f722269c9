import 'server-only';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { deleteConversations, existingConversations } from '@/features/conversations/server';
import { dataPath } from '@/lib/data-dir';
import { logger } from '@/lib/logger';
import { agentHome } from '@/features/agents/server';
import { forgetRunsOf, isBusy } from './run-manager';

/** How long deleting waits for a run in progress to stop before removing its files anyway. */
const STOP_WAIT_MS = 3000;

/**
 * Deletes the visitor's conversations in a workspace (`ids`, or all of them when null) for good:
 * the records (session mapping, runs, push subscriptions) first, so they answer 404 at once, then
 * what this instance holds — a run in progress is stopped, its process ended, its runs dropped
 * from memory — and last the conversation's agent home with its transcript. Returns the ids deleted.
 */
export async function deleteConversationsForGood({ visitorId, workspace, ids }: { visitorId: string; workspace: string; ids: string[] | null }): Promise<string[]> {
  const deleted = await deleteConversations({ visitorId, workspace, ids });
  for (const conversationId of deleted) {
    await forgetRunsOf(conversationId, STOP_WAIT_MS);
    rmSync(agentHome(conversationId), { recursive: true, force: true, maxRetries: 5 });
  }
  return deleted;
}

/**
 * Deletes the agent homes (transcripts) whose conversation is gone: purged when it expired,
 * or deleted while its files could not be removed. Runs after every purge and at start.
 */
export async function sweepAgentHomes(): Promise<number> {
  const root = dataPath('agents');
  if (!existsSync(root)) return 0;
  const homes = readdirSync(root);
  const existing = new Set(await existingConversations(homes.filter((name) => /^[0-9a-f-]{36}$/.test(name))));
  const orphaned = homes.filter((name) => !existing.has(name) && !isBusy(name));
  for (const name of orphaned) rmSync(`${root}/${name}`, { recursive: true, force: true });
  if (orphaned.length > 0) logger.info('deleted agent homes of conversations that are gone', { count: orphaned.length });
  return orphaned.length;
}
