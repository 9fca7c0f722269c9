import 'server-only';
import { retryWrite } from '@/lib/db/retry';
import { serverEnv } from '@/lib/env';
import { logger } from '@/lib/logger';
import { counter } from '@/features/metrics/server';
import type { PushPayload } from '../schemas';
import { onApprovalNeeded, onRunFinished, type ApprovalNeeded, type RunFinished } from '@/features/runs/server';
import { approvalNotice, runNotice, topicFor } from './notice';
import { deleteEndpoint, pushTargets } from './queries';
import { PushSender, type SenderOptions } from './sender';
import { vapidKeys } from './vapid';

// One sender (and VAPID header cache) per process; route handlers and instrumentation share it.
type Global = { tetherPushSender?: PushSender; tetherPushOverrides?: Partial<SenderOptions>; tetherPushesInFlight?: Set<Promise<void>> };
const store = globalThis as Global;
const inFlight = (store.tetherPushesInFlight ??= new Set());

export function pushSender(): PushSender {
  store.tetherPushSender ??= new PushSender({
    keys: vapidKeys(),
    extraHosts: serverEnv().PUSH_ALLOWED_HOSTS,
    // Retried while the database can't answer: a dead endpoint left behind would be pushed to again.
    onGone: (endpoint) =>
      retryWrite({ what: 'push subscription delete', write: () => deleteEndpoint(endpoint) }).landed.then(
        (deleted) => logger.info('push subscription gone', { deleted }),
        (error: unknown) => logger.error('push subscription delete failed', { error }),
      ),
    ...store.tetherPushOverrides,
  });
  return store.tetherPushSender;
}

/** Tests: a self-signed push service's agent, short retry delays. Takes effect from the next send. */
export function configurePushSender(overrides: Partial<SenderOptions>): void {
  store.tetherPushOverrides = overrides;
  store.tetherPushSender = undefined;
}

/**
 * Sends the notices runs announce (once per process, at start): a finished run, a run waiting
 * for approval.
 */
export function sendRunNotices(): void {
  const state = globalThis as { tetherRunNoticesSent?: boolean };
  if (state.tetherRunNoticesSent) return;
  state.tetherRunNoticesSent = true;
  onRunFinished(notifyRunFinished);
  onApprovalNeeded(notifyApprovalNeeded);
}

/**
 * When a run ends. Fire and forget: it returns at once, never throws, and a slow or failing push
 * service neither fails nor delays the run.
 */
function notifyRunFinished(run: RunFinished): void {
  // Decided here, not in the service worker: on iOS every push must show a notification.
  if (run.watched) return;
  track(
    run.conversationId,
    notify(run.conversationId, (showPreview) => runNotice(run, { showPreview }), `run ${run.status}`),
  );
}

/** When a run in ask mode starts waiting for the visitor; fire and forget, like the above. */
function notifyApprovalNeeded(approval: ApprovalNeeded): void {
  if (approval.watched) return;
  track(
    approval.conversationId,
    notify(approval.conversationId, (showPreview) => approvalNotice(approval, { showPreview }), 'approval needed'),
  );
}

function track(conversationId: string, sending: Promise<void>): void {
  const pending: Promise<void> = sending.catch((error: unknown) => logger.error('push notification failed', { conversationId, error })).finally(() => inFlight.delete(pending));
  inFlight.add(pending);
}

/** Resolves once every notification under way has been sent or given up (or after `timeoutMs`). */
export async function settlePushes(timeoutMs = Infinity): Promise<void> {
  const all = Promise.all([...inFlight]).then(() => {});
  if (timeoutMs === Infinity) return all;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([all, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
  clearTimeout(timer);
}

/**
 * Sends the conversation's devices a notice. All notices of a conversation share its topic: a
 * newer one replaces one the push service still holds ("Task is ready" replaces "Approval
 * needed" for a phone that was offline), as the service worker's tag does on screen.
 */
async function notify(conversationId: string, noticeFor: (showPreview: boolean) => PushPayload | null, what: string): Promise<void> {
  if (noticeFor(false) === null) return;
  // Retried too: a run recorded after an outage is announced as the database answers again.
  const targets = await retryWrite({ what: 'push targets', counted: false, write: () => pushTargets(conversationId) }).landed;
  if (!targets || targets.muted || targets.subscriptions.length === 0) return;
  const topic = topicFor(conversationId);
  const messages = targets.subscriptions.flatMap((subscription) => {
    const payload = noticeFor(subscription.showPreview);
    return payload ? [{ subscription, payload: JSON.stringify(payload), topic }] : [];
  });
  const outcomes = await pushSender().sendAll(messages);
  logger.info('push notifications sent', { conversationId, what, outcomes });
  for (const outcome of outcomes) {
    if (outcome === 'sent') pushesSent.inc();
    else pushesFailed.inc({ reason: outcome });
  }
}

const pushesSent = counter({ name: 'tether_push_sent_total', help: 'Web Push notifications a push service took.' });
const pushesFailed = counter({
  name: 'tether_push_failed_total',
  help: 'Web Push notifications not delivered, by reason: gone (404/410), gave_up (429/5xx/network past the retries), rejected (another 4xx), refused (endpoint not on the allow-list).',
  labelNames: ['reason'],
});
