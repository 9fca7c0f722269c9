'use client';

import { requestJson as request } from '@/lib/api-client';

/** Puts the files a run changed back as they were before it; a 409 says why it can't (and nothing changed). */
export async function undoRunChanges(runId: string): Promise<{ runId: string; paths: string[] }> {
  const { undone } = await request<{ undone: { runId: string; paths: string[] } }>(`/api/runs/${runId}/undo`, { method: 'POST' });
  return undone;
}
