import 'server-only';
import type { SessionKey, SessionStore, SessionStoreEntry } from '@anthropic-ai/claude-agent-sdk';
import { changeBacklog } from '@/lib/db/backlog';
import { db } from '@/lib/db/connection';
import { retryWrite } from '@/lib/db/retry';
import { logger } from '@/lib/logger';
import { diskTranscripts, entryKey, mergeTranscripts, readTranscript, recentDiskSessions, SHARED_PROJECT_KEY } from './transcript-disk';
import { databaseTranscriptStore } from './transcript-store';

/**
 * The mirror of agents' transcripts into the database, made to survive outages. The SDK hands
 * each line to `append`, which never fails: lines wait in a queue per key, in order, and go to
 * the database with retries until it answers (uuid keeps a retried batch from doubling). A queue
 * that had to wait is then checked against the CLI's own file on this disk, by entry key, and
 * anything the store still lacks is sent: nothing depends on what was held in memory. Reads
 * (history, a resume) first let this instance's queue for the session drain, and use the disk's
 * lines the store lacks.
 */

/** The most lines one append carries (the SDK's own import batches 500 too). */
export const MAX_BATCH = 500;
/** How long a read waits for this instance's queue of the session before it merges the disk copy instead. */
const READ_FLUSH_MS = 3000;

type Queue = {
  conversationId: string;
  key: SessionKey;
  entries: SessionStoreEntry[];
  draining: Promise<void> | null;
  /** Lines of this queue counted in the backlog (while it waits for the database). */
  counted: number;
  /** It had to wait: once drained, compare the store with the disk. */
  backfill: boolean;
  /** Lines ever queued, and ever done with (stored or refused): a flush waits for the first as it was. */
  queued: number;
  done: number;
  flushes: Array<{ until: number; resolve: () => void }>;
};

// Route handlers and instrumentation get separate module copies: the queues live on globalThis.
const store = globalThis as { tetherTranscriptQueues?: Map<string, Queue> };
const queues = (store.tetherTranscriptQueues ??= new Map());

const queueId = (conversationId: string, { projectKey, sessionId, subpath }: SessionKey) => JSON.stringify([conversationId, projectKey, sessionId, subpath ?? '']);

/** The SDK's session store for one conversation: `append` queues (and never fails), `load` sees this instance's lines too. */
export function mirroredTranscriptStore(conversationId: string): SessionStore {
  const database = databaseTranscriptStore(conversationId);
  return {
    ...database,
    append: async (key, entries) => enqueue(conversationId, key, entries),
    load: async (key) => {
      await flushTranscript(conversationId, key.sessionId, READ_FLUSH_MS);
      const stored = await database.load(key);
      const local = diskTranscripts(conversationId, key.sessionId).find((transcript) => transcript.subpath === (key.subpath ?? ''));
      return mergeTranscripts(stored, local ? await readTranscript(local.file) : null);
    },
  };
}

function enqueue(conversationId: string, key: SessionKey, entries: SessionStoreEntry[]): void {
  if (entries.length === 0) return;
  const id = queueId(conversationId, key);
  let queue = queues.get(id);
  if (!queue) queues.set(id, (queue = { conversationId, key, entries: [], draining: null, counted: 0, backfill: false, queued: 0, done: 0, flushes: [] }));
  queue.entries.push(...entries);
  queue.queued += entries.length;
  if (queue.backfill) count(queue, entries.length);
  kick(id, queue);
}

function kick(id: string, queue: Queue) {
  if (queue.draining) return;
  queue.draining = drain(queue).finally(() => {
    queue.draining = null;
    // Lines that came between the drain's last look and now.
    if (queue.entries.length > 0) kick(id, queue);
    else if (!queue.backfill) queues.delete(id);
  });
}

/**
 * Resolves once the lines this instance held for the session when called are stored (or after
 * `timeoutMs`); true when they were. Lines a run adds meanwhile are not waited for.
 */
export async function flushTranscript(conversationId: string, sessionId: string, timeoutMs: number): Promise<boolean> {
  const waits = [...queues.values()]
    .filter((queue) => queue.conversationId === conversationId && queue.key.sessionId === sessionId && queue.done < queue.queued)
    .map((queue) => new Promise<void>((resolve) => queue.flushes.push({ until: queue.queued, resolve })));
  if (waits.length === 0) return true;
  let timer: NodeJS.Timeout | undefined;
  const flushed = await Promise.race([Promise.all(waits).then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)))]);
  clearTimeout(timer);
  return flushed;
}

/**
 * Sends the store whatever of the session's transcripts on this disk it lacks, compared by entry
 * key; returns how many lines that was. Lines already queued here are left to their queue.
 */
export async function backfillSession(conversationId: string, sessionId: string, projectKey: string): Promise<number> {
  let sent = 0;
  for (const { subpath, file } of diskTranscripts(conversationId, sessionId)) {
    const entries = await readTranscript(file);
    if (!entries?.length) continue;
    const key = { projectKey, sessionId, ...(subpath ? { subpath } : {}) };
    const keys = entries.map(entryKey);
    const lookup = retryWrite({
      what: 'transcript back-fill',
      counted: false,
      write: async () => (await db()).call<number[]>('transcript_missing', { p_conversation_id: conversationId, p_project_key: projectKey, p_session_id: sessionId, p_subpath: subpath, p_keys: keys }),
    });
    const missing = await lookup.landed.catch(() => [] as number[]); // refused: the conversation is gone
    const queued = new Set((queues.get(queueId(conversationId, key))?.entries ?? []).map(entryKey));
    const lacking = missing.map((index) => entries[index]!).filter((entry) => !queued.has(entryKey(entry)));
    if (lacking.length === 0) continue;
    enqueue(conversationId, key, lacking);
    sent += lacking.length;
  }
  if (sent > 0) logger.info('transcript back-filled from disk', { conversationId, sessionId, lines: sent });
  return sent;
}

/**
 * At start, with transcripts in the database: whatever this disk has and the store lacks — lines
 * a crash (or a kill) left in the last process's queue — goes to the store. Only sessions written
 * within `withinMs` (older conversations have expired). Returns how many lines were sent.
 */
export async function backfillLocalTranscripts(withinMs: number): Promise<number> {
  let sent = 0;
  for (const { conversationId, sessionId } of recentDiskSessions(withinMs)) sent += await backfillSession(conversationId, sessionId, SHARED_PROJECT_KEY);
  logger.info('transcripts checked against the store', { linesSent: sent });
  return sent;
}

async function drain(queue: Queue): Promise<void> {
  const database = databaseTranscriptStore(queue.conversationId);
  while (queue.entries.length > 0) {
    const batch = queue.entries.slice(0, MAX_BATCH);
    const write = retryWrite({ what: 'transcript lines', counted: false, write: () => database.append(queue.key, batch) });
    if ((await write.first) === 'pending' && !queue.backfill) {
      queue.backfill = true;
      count(queue, queue.entries.length);
    }
    await write.landed.catch((error: unknown) => logger.error('transcript lines refused by the store', { conversationId: queue.conversationId, lines: batch.length, error }));
    queue.entries.splice(0, batch.length);
    queue.done += batch.length;
    for (const flush of queue.flushes) if (flush.until <= queue.done) flush.resolve();
    queue.flushes = queue.flushes.filter((flush) => flush.until > queue.done);
    count(queue, -Math.min(queue.counted, batch.length));
    if (queue.entries.length === 0 && queue.backfill) {
      // The queue had to wait: make sure, from the disk, that the store now has every line.
      queue.backfill = false;
      count(queue, -queue.counted);
      await backfillSession(queue.conversationId, queue.key.sessionId, queue.key.projectKey).catch((error: unknown) =>
        logger.error('transcript back-fill failed', { conversationId: queue.conversationId, error }),
      );
    }
  }
}

function count(queue: Queue, delta: number) {
  queue.counted += delta;
  changeBacklog('transcriptLines', delta);
}
