import 'server-only';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { agentHome } from '@/features/sandbox/server';
import { existingConversations, onConversationDeleted } from '@/features/conversations/server';
import { dataPath } from '@/lib/data-dir';
import { logger } from '@/lib/logger';
import { forgetRunsOf, isBusy } from './run-manager';

/** How long deleting waits for a run in progress to stop before removing its files anyway. */
const STOP_WAIT_MS = 3000;

const store = globalThis as { tetherForgetsDeleted?: boolean };

/**
 * At start: when a conversation is deleted, what this instance holds of it goes too. A run in
 * progress is stopped, its process ended, its runs dropped from memory, and last its agent home
 * with the transcript.
 */
export function forgetDeletedConversations(): void {
  if (store.tetherForgetsDeleted) return;
  store.tetherForgetsDeleted = true;
  onConversationDeleted(async (conversationId) => {
    await forgetRunsOf(conversationId, STOP_WAIT_MS);
    rmSync(agentHome(conversationId), { recursive: true, force: true, maxRetries: 5 });
  });
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
