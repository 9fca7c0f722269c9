'use client';

import type { DecideApprovalInput } from '../schemas';
import { requestJson as request } from '@/lib/api-client';

/** Answers a tool call the run waits on (ask mode). A 409 means another device (or the expiry) was first. */
export async function decideApproval(runId: string, approvalId: string, input: DecideApprovalInput): Promise<void> {
  await request(`/api/runs/${runId}/approvals/${approvalId}`, { method: 'POST', body: JSON.stringify(input) });
}
