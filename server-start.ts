import { sendRunNotices, settlePushes } from '@/features/push/server';
import { serveOperatorChannel } from '@/features/access/server';
import { backfillLocalTranscripts, claudeExecutable, moveLegacyTranscripts } from '@/features/agents/server';
import { modelEndpoint, sandboxState } from '@/features/sandbox/server';
import { instanceId, startDraining, startHeartbeat, stopHeartbeat } from '@/features/cluster/server';
import {
  forgetDeletedConversations,
  handOverAllRuns,
  obeyOtherInstances,
  publishesSettled,
  runsEnded,
  sweepAgentHomes,
  sweepWorktrees,
  sweepRunJournals,
  takeOnOwnRuns,
  takeOverStaleRuns,
} from '@/features/runs/server';
import { closeAllStreams } from '@/features/timeline/server';
import { pruneDeletedConversations, sweepSnapshotStores } from '@/features/changes/server';
import { ensureDemoWorkspace } from '@/features/workspaces/server';
import { backlogCleared } from '@/lib/db/backlog';
import { closeDb, db, dbConfigFromEnv } from '@/lib/db/connection';
import { serverEnv } from '@/lib/env';
import { logger } from '@/lib/logger';
import { closeRedis } from '@/lib/redis';
import { hookRequests } from '@/lib/request-hook';
import { serveApiBeforeNext } from './app/api/node-routes';

const PURGE_INTERVAL_MS = 10 * 60 * 1000;
const SHUTDOWN_GRACE_MS = 3000;
const PUSH_GRACE_MS = 2000;
const BACKLOG_GRACE_MS = 3000;
const PUBLISH_GRACE_MS = 2000;

export async function startServer() {
  try {
    await start();
  } catch (error) {
    // Next would keep serving 500s after a failed start: exit so a supervisor sees the failure.
    process.stderr.write(`Tether could not start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}

async function start() {
  const env = serverEnv(); // fails here, with the variable's name, when the configuration is bad
  for (const deprecation of env.deprecations) logger.warn(deprecation);
  // Before the first request: per-address limits need each socket's address, and run event
  // streams are served before Next.
  hookRequests(serveApiBeforeNext);
  const sandbox = sandboxState(); // refuses to start without the agent sandbox where that is unsafe
  claudeExecutable(); // found now, while the process is quiet (see there)
  ensureDemoWorkspace();
  sendRunNotices(); // runs announce their ends and approval waits; push listens
  forgetDeletedConversations(); // conversations announce a deletion; runs stop theirs and remove the transcript
  pruneDeletedConversations(); // ...and then its runs' snapshots leave the workspace's store
  const started = Date.now();
  const database = await db();
  // The embedded database is this process's alone: `npm run workspace -- invite` and its kin ask through a socket.
  if (dbConfigFromEnv().kind === 'pglite') serveOperatorChannel();
  await moveLegacyTranscripts();
  // Only this instance's own runs (other instances on the database may be running theirs): an
  // earlier process of it left them running, and they are continued now.
  const orphaned = await takeOnOwnRuns();
  sweepRunJournals();
  await startHeartbeat(takeOverStaleRuns); // before the first new run: a run of an instance that never beat is taken over
  await obeyOtherInstances(); // with Redis: Stop and approvals sent from other instances' viewers
  await sweepAgentHomes();
  void sweepWorktrees().catch((error: unknown) => logger.error('the worktree sweep failed', { error }));
  void sweepSnapshotStores(); // in the background: what went while the server was down
  // Lines a crash left unmirrored: the disk has them, the store gets them (in the background).
  if (env.transcripts === 'database') {
    void backfillLocalTranscripts(env.TETHER_CONVERSATION_TTL_HOURS * 3600 * 1000).catch((error: unknown) => logger.error('transcript back-fill failed', { error }));
  }
  const endpoint = await modelEndpoint();
  if ((env.DATABASE_URL || env.SUPABASE_URL) && (!env.SESSION_SECRET || !env.VAPID_PUBLIC_KEY)) {
    // Instances sharing a database serve each other's visitors: they must sign and push alike.
    logger.warn('With a shared database, set SESSION_SECRET and the VAPID keys in the environment, the same for every instance: generated ones differ per data folder.');
  }
  logger.info('tether started', {
    dataDir: env.dataDir,
    instance: instanceId(),
    database: env.SUPABASE_URL ? 'supabase' : env.DATABASE_URL ? 'postgres' : 'pglite',
    liveEvents: env.REDIS_URL ? 'redis' : 'in process',
    transcripts: env.transcripts,
    model: endpoint.demo ? 'demo' : 'anthropic',
    agentSandbox: sandbox.sandboxed ? 'bubblewrap' : `off (${sandbox.reason})`,
    continuedOrEndedRuns: orphaned,
    dbReadyMs: Date.now() - started,
  });
  setInterval(() => {
    // Expired conversations go, and with them (the sweeps) their transcripts, worktrees and runs' snapshots.
    database
      .call<number>('purge_expired', {})
      .then((purged) => purged > 0 && logger.info('purged expired conversations', { purged }))
      .then(sweepAgentHomes)
      .then(sweepWorktrees)
      .then(sweepSnapshotStores)
      .catch((error: unknown) => logger.error('purge failed', { error }));
  }, PURGE_INTERVAL_MS).unref();
  stopOnSignals(env.TETHER_DRAIN_SECONDS * 1000);
}

/**
 * SIGTERM drains: no new runs (sends get 503, /api/health says draining), the runs in progress go
 * on to their end for up to `drainMs`, and those still going then are handed over, to be continued
 * by this instance's next start or another instance. A second SIGTERM, or SIGINT (a terminal's
 * Ctrl-C), hands them over at once. Then every stream closes (open SSE responses would keep
 * `next start` alive forever) and the process exits.
 */
function stopOnSignals(drainMs: number) {
  const skipDrain = new AbortController();
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return void skipDrain.abort();
    stopping = true;
    if (signal === 'SIGINT') skipDrain.abort();
    logger.info('shutting down', { signal, drainSeconds: skipDrain.signal.aborted ? 0 : drainMs / 1000 });
    startDraining();
    void runsEnded(drainMs, skipDrain.signal)
      .then(() => handOverAllRuns(SHUTDOWN_GRACE_MS))
      .finally(closeAllStreams)
      .then(() => settlePushes(PUSH_GRACE_MS)) // completion pushes of runs that just ended
      .then(() => backlogCleared(BACKLOG_GRACE_MS)) // writes still waiting for the database (the disk keeps the transcripts)
      .then(() => stopHeartbeat().catch((error: unknown) => logger.error('leaving failed', { error }))) // its handed-over runs are free to take over now
      .then(() => publishesSettled(PUBLISH_GRACE_MS)) // the last events (an end, a hand-over notice) reach other instances' viewers
      .then(closeRedis)
      .then(closeDb)
      .finally(() => process.exit(0));
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    // `next start`'s own handler stops listening at once and exits: no 503 for a send, no health
    // check saying draining. Its documented opt-out (NEXT_MANUAL_SIG_HANDLE) must be in the
    // environment before it starts, which an operator's launcher may not set: this one takes over.
    process.removeAllListeners(signal);
    process.on(signal, stop);
  }
}
