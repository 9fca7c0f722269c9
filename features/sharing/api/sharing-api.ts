'use client';

import type { Device } from '../types';
import { requestJson as request } from '@/lib/api-client';

/** A single-use link (10 minutes) that gives another browser this conversation. */
export async function createHandoff(conversationId: string): Promise<{ url: string; expiresAt: string }> {
  return request(`/api/conversations/${conversationId}/handoff`, { method: 'POST' });
}

/** Opens a handoff link's token: this browser becomes a device of its conversation (its id is returned). */
export async function redeemHandoff(token: string): Promise<string> {
  return (await request<{ conversationId: string }>('/api/handoff', { method: 'POST', body: JSON.stringify({ token }) })).conversationId;
}

export async function fetchDevices(conversationId: string): Promise<Device[]> {
  return (await request<{ devices: Device[] }>(`/api/conversations/${conversationId}/devices`)).devices;
}

export async function revokeDevice(conversationId: string, deviceId: string): Promise<void> {
  await request(`/api/conversations/${conversationId}/devices/${deviceId}`, { method: 'DELETE' });
}

export async function shareConversation(conversationId: string): Promise<{ url: string }> {
  return request(`/api/conversations/${conversationId}/share`, { method: 'POST' });
}

export async function fetchSharing(conversationId: string): Promise<boolean> {
  return (await request<{ shared: boolean }>(`/api/conversations/${conversationId}/share`)).shared;
}

export async function stopSharing(conversationId: string): Promise<void> {
  await request(`/api/conversations/${conversationId}/share`, { method: 'DELETE' });
}
