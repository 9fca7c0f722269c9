import { createClient, type SupabaseClientOptions } from '@supabase/supabase-js';
import { DbError } from './errors';
import type { Db } from './types';
import { buildCall } from './sql-call';

type RealtimeTransport = NonNullable<NonNullable<SupabaseClientOptions<'tether'>['realtime']>['transport']>;

// supabase-js builds its realtime client eagerly and, on Node 20 (no global WebSocket), throws
// unless given a transport. We only use `.rpc()`, so rather than depend on `ws` we pass one that
// fails loudly if anything ever tries to open a socket.
const noRealtime = function NoRealtime() {
  throw new Error('lib/db does not use Supabase realtime');
} as unknown as RealtimeTransport;

/**
 * Supabase through PostgREST: `POST /rest/v1/rpc/<fn>` with `Content-Profile: tether`, using the
 * service-role key (the only role granted anything on the schema). Migrations are applied by the
 * Supabase CLI, not here.
 */
export function openSupabaseDb(config: { url: string; serviceRoleKey: string; fetch?: typeof fetch }): Db {
  const client = createClient(config.url, config.serviceRoleKey, {
    db: { schema: 'tether' },
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    realtime: { transport: noRealtime },
    global: config.fetch ? { fetch: config.fetch } : {},
  });

  return {
    async call<T>(fn: string, args?: Record<string, unknown>) {
      buildCall(fn, args); // same name checks as the SQL transports
      const { data, error } = await client.rpc(fn, args ?? {});
      if (error) {
        throw new DbError(fn, error.message, { code: error.code || undefined, cause: error });
      }
      // A void function answers 204 (no body); supabase-js then gives null, as the others do.
      return (data ?? null) as T;
    },
    async close() {},
  };
}
