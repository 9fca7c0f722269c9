import 'server-only';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { agentHome } from '@/features/sandbox/server';
import { existingConversations, onConversationDeleted } from '@/features/conversations/server';
import { findWorkspace, removeConversationWorktree, workspaceConfig, workspaceNames, worktreeConversations } from '@/features/workspaces/server';
import { dataPath } from '@/lib/data-dir';
import { logger } from '@/lib/logger';
import { forgetRunsOf, isBusy } from './run-manager';

/** How long deleting waits for a run in progress to stop before removing its files anyway. */
const STOP_WAIT_MS = 3000;

const store = globalThis as { tetherForgetsDeleted?: boolean };

/**
 * At start: when a conversation is deleted, what this instance holds of it goes too. A run in
 * progress is stopped, its process ended, its runs dropped from memory, and last its agent home
 * with the transcript, and its git worktree (with worktree isolation).
 */
export function forgetDeletedConversations(): void {
  if (store.tetherForgetsDeleted) return;
  store.tetherForgetsDeleted = true;
  onConversationDeleted(async (conversationId, { workspace }) => {
    await forgetRunsOf(conversationId, STOP_WAIT_MS);
    rmSync(agentHome(conversationId), { recursive: true, force: true, maxRetries: 5 });
    const found = findWorkspace(workspace);
    if (found) await removeConversationWorktree(found, conversationId);
  });
}

/** Removes the worktrees whose conversation is gone (expired, or deleted on an instance that could not remove it). Runs after every purge and at start. */
export async function sweepWorktrees(): Promise<number> {
  let removed = 0;
  // Only worktree workspaces are opened: opening one mounts its disk image, every 10 minutes otherwise.
  for (const name of workspaceNames().filter((each) => workspaceConfig(each).isolation === 'worktree')) {
    const workspace = findWorkspace(name);
    const held = workspace ? worktreeConversations(workspace) : [];
    if (!workspace || held.length === 0) continue;
    const existing = new Set(await existingConversations(held));
    for (const conversationId of held.filter((id) => !existing.has(id) && !isBusy(id))) {
      await removeConversationWorktree(workspace, conversationId);
      removed++;
    }
  }
  if (removed > 0) logger.info('removed the worktrees of conversations that are gone', { count: removed });
  return removed;
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
