'use client';

import type { BranchLog } from '@/features/workspaces';
import type { FileChange } from '../types';
import { requestJson as request } from '@/lib/api-client';

/** Puts the files a run changed back as they were before it; a 409 says why it can't (and nothing changed). */
export async function undoRunChanges(runId: string): Promise<{ runId: string; paths: string[] }> {
  const { undone } = await request<{ undone: { runId: string; paths: string[] } }>(`/api/runs/${runId}/undo`, { method: 'POST' });
  return undone;
}

/** "Changes in this conversation": what its runs changed that is still there, from before its first run to now. */
export async function fetchConversationChanges(conversationId: string): Promise<FileChange[]> {
  return (await request<{ files: FileChange[] }>(`/api/conversations/${conversationId}/changes`)).files;
}

/** The conversation's patch, for a download link (a file `git apply` takes). */
export const conversationPatchUrl = (conversationId: string) => `/api/conversations/${conversationId}/patch`;

/** The conversation's branch with its commits not yet in the repository's HEAD (worktree isolation). */
export const fetchBranchLog = (conversationId: string) => request<BranchLog>(`/api/conversations/${conversationId}/commit`);

/** "Commit": the conversation's worktree as one commit on its branch; a 409 says there was nothing to commit. */
export const commitConversation = (conversationId: string, message: string) =>
  request<BranchLog & { commit: string }>(`/api/conversations/${conversationId}/commit`, { method: 'POST', body: JSON.stringify({ message }) });
