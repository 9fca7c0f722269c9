import 'server-only';
import { db } from '@/lib/db/connection';
import { serverEnv, type ServerEnv } from '@/lib/env';
import { redis } from '@/lib/redis';
import { attachmentAllowance } from './attachment-allowance';
import { dailyBudgets } from './budgets';
import { runSlots } from './run-slots';
import { slidingWindow } from './sliding-window';
import { databaseStore, memoryStore, redisStore, type LimitStore } from './store';
import { viewerCaps } from './viewer-caps';

/** A slot of "runs at once" is renewed while its run lives; a dead instance's slots free within this. */
export const RUN_SLOT_LEASE_SECONDS = 60;

type Settings = Pick<
  ServerEnv,
  | 'TETHER_RUNS_AT_ONCE_PER_VISITOR'
  | 'TETHER_RUNS_PER_VISITOR_PER_HOUR'
  | 'TETHER_CONVERSATIONS_PER_VISITOR_PER_DAY'
  | 'TETHER_NEW_VISITORS_PER_ADDRESS_PER_MINUTE'
  | 'TETHER_BUDGET_USD_PER_VISITOR_PER_DAY'
  | 'TETHER_BUDGET_USD_PER_WORKSPACE_PER_DAY'
  | 'TETHER_VIEWERS_PER_RUN'
  | 'TETHER_VIEWERS_PER_VISITOR'
  | 'TETHER_ATTACHMENT_MB_PER_VISITOR_PER_DAY'
> & { linksPerMinute: number };

/** Every shared rule over one store. Two instances building this over one store share every count. */
export function buildLimits(store: LimitStore, settings: Settings) {
  return {
    store,
    runsAtOnce: runSlots(store, { limit: settings.TETHER_RUNS_AT_ONCE_PER_VISITOR, leaseSeconds: RUN_SLOT_LEASE_SECONDS }),
    runsPerHour: slidingWindow(store, { name: 'runs-per-hour', limit: settings.TETHER_RUNS_PER_VISITOR_PER_HOUR, windowSeconds: 60 * 60 }),
    conversationsPerDay: slidingWindow(store, { name: 'conversations-per-day', limit: settings.TETHER_CONVERSATIONS_PER_VISITOR_PER_DAY, windowSeconds: 24 * 60 * 60 }),
    newVisitors: slidingWindow(store, { name: 'new-visitors', limit: settings.TETHER_NEW_VISITORS_PER_ADDRESS_PER_MINUTE, windowSeconds: 60 }),
    linksMade: slidingWindow(store, { name: 'links-made', limit: settings.linksPerMinute, windowSeconds: 60 }),
    handoffsOpened: slidingWindow(store, { name: 'handoffs-opened', limit: settings.linksPerMinute, windowSeconds: 60 }),
    invitesOpened: slidingWindow(store, { name: 'invites-opened', limit: settings.linksPerMinute, windowSeconds: 60 }),
    viewers: viewerCaps(store, { perRun: settings.TETHER_VIEWERS_PER_RUN, perVisitor: settings.TETHER_VIEWERS_PER_VISITOR }),
    budgets: dailyBudgets(store, { visitorUsd: settings.TETHER_BUDGET_USD_PER_VISITOR_PER_DAY, workspaceUsd: settings.TETHER_BUDGET_USD_PER_WORKSPACE_PER_DAY }),
    attachmentAllowance: attachmentAllowance(store, { mbPerDay: settings.TETHER_ATTACHMENT_MB_PER_VISITOR_PER_DAY }),
  };
}

export type Limits = ReturnType<typeof buildLimits>;

/** Links (handoff, share or invite) a visitor may make, and handoff or invite links it may open, per minute (a token is 256 random bits: this is about noise, not guessing). */
const LINKS_PER_MINUTE = 10;

/**
 * The store every instance shares: Redis when REDIS_URL is set, else the database when it is a
 * shared one (DATABASE_URL or Supabase), else (embedded PGlite: one process) this process's memory.
 */
export function storeFromEnv(): LimitStore {
  const env = serverEnv();
  const client = redis();
  if (client) return redisStore({ client, prefix: 'tether:limits' });
  if (env.DATABASE_URL || env.SUPABASE_URL) return databaseStore({ db, prefix: 'limits' });
  return memoryStore();
}

// Route handlers, the proxy and instrumentation get separate module copies: one set per process.
const global = globalThis as { tetherLimits?: Limits };

export function limits(): Limits {
  return (global.tetherLimits ??= buildLimits(storeFromEnv(), { ...serverEnv(), linksPerMinute: LINKS_PER_MINUTE }));
}
