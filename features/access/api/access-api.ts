'use client';

import { requestJson as request } from '@/lib/api-client';
import type { Invite } from '../types';

/** Opens an invite link's token: this browser becomes a member of the workspace. */
export async function joinWithInvite(token: string): Promise<void> {
  await request('/api/join', { method: 'POST', body: JSON.stringify({ token }) });
}

/** A member's invite link (when the workspace lets members invite): single use, for a week. */
export async function createInvite(label: string): Promise<Invite> {
  return request('/api/invites', { method: 'POST', body: JSON.stringify({ label }) });
}
