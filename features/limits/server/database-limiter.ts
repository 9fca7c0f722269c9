import 'server-only';
import { RateLimiterRes } from 'rate-limiter-flexible';
import RateLimiterStoreAbstract from 'rate-limiter-flexible/lib/RateLimiterStoreAbstract.js';
import type { Db } from '@/lib/db';

type StoreOptions = ConstructorParameters<typeof RateLimiterStoreAbstract>[0];
type Counter = { points: number; msLeft: number };

/**
 * rate-limiter-flexible's store over Tether's own database door: the counters live in
 * `tether.limit_counters` and change only through the SQL functions of migration 000014. The
 * library's RateLimiterPostgres needs a pg pool and its own SQL; this one runs over every `lib/db`
 * transport, Supabase's REST API included, and keeps SQL in the migrations. Each change is one
 * atomic upsert, so instances sharing the database share every count.
 */
export class RateLimiterDatabase extends RateLimiterStoreAbstract {
  private readonly db: () => Promise<Db>;

  constructor({ db, ...options }: Omit<StoreOptions, 'storeClient'> & { db: () => Promise<Db> }) {
    super({ ...options, storeClient: db });
    this.db = db;
  }

  // The four methods the library's store classes implement (they are not in its type declarations).
  _getRateLimiterRes(_key: string, changedPoints: number, counter: Counter): RateLimiterRes {
    return new RateLimiterRes(Math.max(this.points - counter.points, 0), counter.msLeft, counter.points, counter.points === changedPoints);
  }

  async _upsert(key: string, points: number, msDuration: number, forceExpire = false): Promise<Counter> {
    if (!Number.isInteger(points)) throw new Error('points must be integers');
    return (await this.db()).call<Counter>('limit_add', { p_key: key, p_points: points, p_ms: Math.max(0, Math.round(msDuration)), p_force: forceExpire });
  }

  async _get(key: string): Promise<Counter | null> {
    return (await this.db()).call<Counter | null>('limit_get', { p_key: key });
  }

  async _delete(key: string): Promise<boolean> {
    return (await this.db()).call<boolean>('limit_delete', { p_key: key });
  }
}
