import type { ApprovalNeeded, RunFinished } from '@/features/runs/server';
import type { PushPayload } from '../schemas';

const PREVIEW_CHARS = 140;
const ERROR_CHARS = 120;

/**
 * The notice for a finished run, or null when there is nothing to say: a stopped run was stopped
 * by someone who was there. The same payload for every device except the preview, which each
 * subscription opts into (a lock screen may be seen by others).
 */
export function runNotice(run: RunFinished, { showPreview }: { showPreview: boolean }): PushPayload | null {
  const who = `${run.model} in ${run.mode} mode`;
  let title: string;
  let body: string;
  switch (run.status) {
    case 'stopped':
      return null;
    case 'completed': {
      title = 'Task is ready';
      body = `${who} is done working`;
      const preview = showPreview ? oneLine(run.answer, PREVIEW_CHARS) : '';
      if (preview) body += `\n${preview}`;
      break;
    }
    case 'failed':
      title = 'Task failed';
      body = run.error ? `${who}: ${oneLine(run.error, ERROR_CHARS)}` : `${who} stopped with an error`;
      break;
    case 'interrupted':
      title = 'Task was interrupted';
      body = `${who} was cut off by a server restart. Send a message to carry on.`;
      break;
  }
  return { title, body, data: { conversationId: run.conversationId, url: `/?c=${run.conversationId}` } };
}

/** "Approval needed": what the agent wants to do is a preview (a path, a command), shown only where the device opted in. */
export function approvalNotice(approval: ApprovalNeeded, { showPreview }: { showPreview: boolean }): PushPayload {
  const who = `${approval.model} in ${approval.mode} mode`;
  const body = showPreview ? `${who} wants to ${oneLine(approval.summary, PREVIEW_CHARS)}` : `${who} is waiting for your approval`;
  return { title: 'Approval needed', body, data: { conversationId: approval.conversationId, url: `/?c=${approval.conversationId}` } };
}

/** A topic per conversation (≤ 32 URL-safe base64 characters): a newer notice replaces an older one. */
export function topicFor(conversationId: string): string {
  return conversationId.replace(/-/g, '').slice(0, 32);
}

function oneLine(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1).trimEnd()}…`;
}
