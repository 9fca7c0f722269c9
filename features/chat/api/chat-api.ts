'use client';

import type { ChatItem, RunEvent, RunInfo, SendMessageInput } from '@/features/runs';

export type ConversationView = {
  conversation: { id: string; title: string | null; createdAt: string; lastActivityAt: string };
  items: ChatItem[];
  activeRun: RunInfo | null;
};

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

async function request<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, { ...init, headers: { 'content-type': 'application/json', ...init?.headers } });
  const body = (await response.json().catch(() => null)) as ({ error?: { code: string; message: string } } & T) | null;
  if (!response.ok) {
    throw new ApiError(response.status, body?.error?.code ?? 'unknown', body?.error?.message ?? `Request failed (${response.status})`);
  }
  return body as T;
}

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

export async function stopRun(runId: string): Promise<RunInfo> {
  const { run } = await request<{ run: RunInfo }>(`/api/runs/${runId}/stop`, { method: 'POST' });
  return run;
}

/**
 * Follows a run's events until its `end`, reconnecting with capped exponential backoff and
 * jitter and resuming after the last event received, so nothing is missed or repeated.
 * Resolves 'gone' when the server no longer has the run (history then has it).
 */
export async function followRun({ runId, after, onEvent, signal }: {
  runId: string;
  after: number;
  onEvent: (event: RunEvent) => void;
  signal: AbortSignal;
}): Promise<'ended' | 'gone' | 'aborted'> {
  let lastSeq = after;
  for (let attempt = 0; !signal.aborted; attempt++) {
    try {
      const response = await fetch(`/api/runs/${runId}/events?after=${lastSeq}`, { signal, headers: { accept: 'text/event-stream' } });
      if (response.status === 404) return 'gone';
      if (!response.ok || !response.body) throw new Error(`events ${response.status}`);
      for await (const event of readEvents(response.body)) {
        if (event.seq <= lastSeq) continue;
        lastSeq = event.seq;
        attempt = 0;
        onEvent(event);
        if (event.type === 'end') return 'ended';
      }
    } catch (error) {
      if (signal.aborted) break;
      void error;
    }
    const delay = Math.min(10_000, 500 * 2 ** attempt) * (0.5 + Math.random() / 2);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
  return 'aborted';
}

async function* readEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<RunEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let boundary;
    while ((boundary = buffer.indexOf('\n\n')) !== -1) {
      const frame = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary + 2);
      const data = frame
        .split('\n')
        .filter((line) => line.startsWith('data: '))
        .map((line) => line.slice(6))
        .join('\n');
      if (data) yield JSON.parse(data) as RunEvent;
    }
  }
}
