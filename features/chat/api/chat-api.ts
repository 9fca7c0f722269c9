'use client';

import { SHARE_TOKEN_HEADER, type ConversationStatus, type ConversationSummary, type Device } from '@/features/conversations';
import { ApiError, requestJson as request } from '@/lib/api-client';
import { HEARTBEAT_MS, type ChatItem, type DecideApprovalInput, type RunEvent, type RunInfo, type SendMessageInput } from '@/features/runs';

export type ConversationView = {
  /** `muted`: no push notifications for this conversation (absent from servers that predate it). */
  conversation: { id: string; title: string | null; muted?: boolean; createdAt: string; lastActivityAt: string };
  items: ChatItem[];
  activeRun: RunInfo | null;
};

/** The conversation's history; null for a conversation the server has never seen (a new one). */
export async function fetchConversation(conversationId: string): Promise<ConversationView | null> {
  try {
    return await request<ConversationView>(`/api/conversations/${conversationId}`);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

export async function sendMessage(conversationId: string, input: SendMessageInput): Promise<RunInfo> {
  const { run } = await request<{ run: RunInfo }>(`/api/conversations/${conversationId}/messages`, {
    method: 'POST',
    body: JSON.stringify(input),
  });
  return run;
}

/** Gives the conversation a new title; answers the title the server kept. */
export async function renameConversation(conversationId: string, title: string): Promise<string> {
  return (await request<{ title: string }>(`/api/conversations/${conversationId}`, { method: 'PATCH', body: JSON.stringify({ title }) })).title;
}

/** Deletes the conversation for good (records, runs, push subscriptions, transcript). */
export async function deleteConversation(conversationId: string): Promise<void> {
  await request<{ deleted: string[] }>(`/api/conversations/${conversationId}`, { method: 'DELETE' });
}

/** Deletes every one of this visitor's conversations in the workspace; returns their ids. */
export async function clearConversations(): Promise<string[]> {
  return (await request<{ deleted: string[] }>('/api/conversations', { method: 'DELETE' })).deleted;
}

export async function stopRun(runId: string): Promise<RunInfo> {
  const { run } = await request<{ run: RunInfo }>(`/api/runs/${runId}/stop`, { method: 'POST' });
  return run;
}

/** Answers a tool call the run waits on (ask mode). A 409 means another device (or the expiry) was first. */
export async function decideApproval(runId: string, approvalId: string, input: DecideApprovalInput): Promise<void> {
  await request(`/api/runs/${runId}/approvals/${approvalId}`, { method: 'POST', body: JSON.stringify(input) });
}

export async function fetchConversationStatuses(ids: string[]): Promise<ConversationStatus[]> {
  const { statuses } = await request<{ statuses: ConversationStatus[] }>(`/api/conversations/status?ids=${ids.join(',')}`);
  return statuses;
}

/** How the tab's link to a run's events is doing, for the status indicator. */
export type ConnectionState = 'live' | 'reconnecting' | 'offline';

/** Twice the server's heartbeat: a connection that has said nothing for this long is dead. */
const STALL_MS = 2 * HEARTBEAT_MS;
const MAX_BACKOFF_MS = 10_000;

/**
 * Follows a run's events until its `end`, reconnecting with capped exponential backoff and
 * jitter and resuming after the last event received, so nothing is missed or repeated.
 * A connection that goes silent (not even a heartbeat) is dropped and replaced; while the
 * browser is offline it waits for the network and reconnects the moment it is back.
 * Resolves 'gone' when the server no longer has the run (history then has it).
 *
 * Each connection tells the server whether the tab is visible (`visible=1|0`): a run that
 * finishes in front of someone needs no push notification. When the tab is shown or hidden,
 * the connection is replaced at once, resuming after the last event, so the server always knows.
 */
export async function followRun({ runId, after, onEvent, onConnection, signal, shareToken }: {
  runId: string;
  after: number;
  /** Watching through a read-only share link: its stream, with its token. */
  shareToken?: string;
  onEvent: (event: RunEvent) => void;
  onConnection?: (state: ConnectionState) => void;
  signal: AbortSignal;
}): Promise<'ended' | 'gone' | 'aborted'> {
  let lastSeq = after;
  let reported: ConnectionState | null = null;
  const report = (state: ConnectionState) => {
    if (state === reported || signal.aborted) return;
    reported = state;
    onConnection?.(state);
  };

  for (let failures = 0; !signal.aborted; ) {
    if (!navigator.onLine) {
      report('offline');
      await waitFor({ events: ['online'], signal });
      failures = 0;
      continue;
    }

    // One connection: dropped when the run's view is left, the network goes, it falls silent,
    // or the tab is shown or hidden (then it is replaced straight away, see below).
    const connection = new AbortController();
    const drop = () => connection.abort();
    const visible = isVisible();
    let visibilityChanged = false;
    const onVisibility = () => {
      if (isVisible() === visible) return;
      visibilityChanged = true;
      drop();
    };
    signal.addEventListener('abort', drop);
    window.addEventListener('offline', drop);
    document.addEventListener('visibilitychange', onVisibility);
    let stall: ReturnType<typeof setTimeout> | undefined;
    const alive = () => {
      clearTimeout(stall);
      stall = setTimeout(drop, STALL_MS);
    };
    try {
      alive();
      const response = shareToken
        ? await fetch(`/api/shared/runs/${runId}/events?after=${lastSeq}`, { signal: connection.signal, headers: { accept: 'text/event-stream', [SHARE_TOKEN_HEADER]: shareToken } })
        : await fetch(`/api/runs/${runId}/events?after=${lastSeq}&visible=${visible ? 1 : 0}`, { signal: connection.signal, headers: { accept: 'text/event-stream' } });
      if (response.status === 404) return 'gone';
      if (!response.ok || !response.body) throw new Error(`events ${response.status}`);
      report('live');
      for await (const frame of readFrames(response.body)) {
        alive();
        // Frames already read can still come out after an abort: the follower has moved on.
        if (signal.aborted) break;
        if (frame.kind === 'comment' || frame.event.seq <= lastSeq) continue;
        lastSeq = frame.event.seq;
        failures = 0;
        onEvent(frame.event);
        if (frame.event.type === 'end') return 'ended';
      }
    } catch {
      // A dropped or failed connection: try again below.
    } finally {
      clearTimeout(stall);
      signal.removeEventListener('abort', drop);
      window.removeEventListener('offline', drop);
      document.removeEventListener('visibilitychange', onVisibility);
    }
    if (signal.aborted) break;
    if (!navigator.onLine) continue;
    // Not a failure: the same run, followed on with the tab's new visibility, without a wait.
    if (visibilityChanged) continue;
    report('reconnecting');
    const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** failures++) * (0.5 + Math.random() / 2);
    // Going offline meanwhile switches to waiting for the network instead.
    await waitFor({ events: ['offline'], ms: delay, signal });
  }
  return 'aborted';
}

function isVisible(): boolean {
  return document.visibilityState === 'visible';
}

/** Resolves on the first of: one of the window events, `ms` passing, the signal aborting. */
function waitFor({ events, ms, signal }: { events: string[]; ms?: number; signal: AbortSignal }): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      for (const name of events) window.removeEventListener(name, done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = ms === undefined ? undefined : setTimeout(done, ms);
    for (const name of events) window.addEventListener(name, done);
    signal.addEventListener('abort', done);
    if (signal.aborted) done();
  });
}

type Frame = { kind: 'event'; event: RunEvent } | { kind: 'comment' };

/**
 * The SSE frames of a response: events, and comments (`: ok`, `: heartbeat`), which carry no
 * data but prove the connection is alive.
 */
async function* readFrames(body: ReadableStream<Uint8Array>): AsyncGenerator<Frame> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let boundary;
      while ((boundary = buffer.indexOf('\n\n')) !== -1) {
        const lines = buffer.slice(0, boundary).split('\n');
        buffer = buffer.slice(boundary + 2);
        const data = lines
          .filter((line) => line.startsWith('data: '))
          .map((line) => line.slice(6))
          .join('\n');
        if (data) yield { kind: 'event', event: JSON.parse(data) as RunEvent };
        else if (lines.some((line) => line.startsWith(':'))) yield { kind: 'comment' };
      }
    }
  } finally {
    // Leaving early (the run ended, or the follower stopped): close the connection too.
    reader.cancel().catch(() => {});
  }
}

/** Puts the files a run changed back as they were before it; a 409 says why it can't (and nothing changed). */
export async function undoRunChanges(runId: string): Promise<{ runId: string; paths: string[] }> {
  const { undone } = await request<{ undone: { runId: string; paths: string[] } }>(`/api/runs/${runId}/undo`, { method: 'POST' });
  return undone;
}

/** "See all": every conversation the server still keeps for this visitor here, latest first. */
export async function fetchAllConversations(): Promise<ConversationSummary[]> {
  return (await request<{ conversations: ConversationSummary[] }>('/api/conversations')).conversations;
}

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

export type SharedView = { conversation: { title: string | null }; items: ChatItem[]; activeRun: RunInfo | null };

/** A shared conversation, read-only; null when the link is off (or never was). */
export async function fetchShared(shareToken: string): Promise<SharedView | null> {
  try {
    return await request<SharedView>('/api/shared', { headers: { [SHARE_TOKEN_HEADER]: shareToken } });
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
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
