import 'server-only';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import webpush from 'web-push';
import { dataDir, dataPath } from '@/lib/data-dir';
import { serverEnv } from '@/lib/env';

export type VapidKeys = { publicKey: string; privateKey: string; subject: string };

/** Used with generated keys when VAPID_SUBJECT is unset: a real-looking contact, never localhost. */
export const DEFAULT_VAPID_SUBJECT = 'mailto:tether@example.com';

type Global = { tetherVapid?: VapidKeys };
const store = globalThis as Global;

/**
 * VAPID_* from the env, or a key pair generated once into `<data>/vapid.json` (0600). Several
 * processes starting at once all end up with the first one's keys: 'wx' fails for the others,
 * who then read the file. Browsers' subscriptions are bound to the public key, so it must not change.
 */
export function vapidKeys(): VapidKeys {
  if (store.tetherVapid) return store.tetherVapid;
  const env = serverEnv();
  if (env.VAPID_PUBLIC_KEY && env.VAPID_PRIVATE_KEY && env.VAPID_SUBJECT) {
    return (store.tetherVapid = { publicKey: env.VAPID_PUBLIC_KEY, privateKey: env.VAPID_PRIVATE_KEY, subject: env.VAPID_SUBJECT });
  }
  dataDir();
  const file = dataPath('vapid.json');
  try {
    writeFileSync(file, JSON.stringify(webpush.generateVAPIDKeys()), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const saved = JSON.parse(readFileSync(file, 'utf8')) as { publicKey?: unknown; privateKey?: unknown };
  if (typeof saved.publicKey !== 'string' || typeof saved.privateKey !== 'string') throw new Error(`${file} is not a VAPID key pair: delete it to generate a new one`);
  return (store.tetherVapid = { publicKey: saved.publicKey, privateKey: saved.privateKey, subject: DEFAULT_VAPID_SUBJECT });
}

/**
 * Where the keys come from, without generating any (the operator's doctor): the environment, the
 * data folder's generated pair, or none yet (the first start generates it).
 */
export function vapidSource(): { source: 'environment' | 'generated' | 'none yet' | 'unreadable'; file: string; subject: string } {
  const env = serverEnv();
  const file = dataPath('vapid.json');
  if (env.VAPID_PUBLIC_KEY && env.VAPID_PRIVATE_KEY && env.VAPID_SUBJECT) return { source: 'environment', file, subject: env.VAPID_SUBJECT };
  if (!existsSync(file)) return { source: 'none yet', file, subject: DEFAULT_VAPID_SUBJECT };
  try {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { publicKey?: unknown; privateKey?: unknown };
    const valid = typeof saved.publicKey === 'string' && typeof saved.privateKey === 'string';
    return { source: valid ? 'generated' : 'unreadable', file, subject: DEFAULT_VAPID_SUBJECT };
  } catch {
    return { source: 'unreadable', file, subject: DEFAULT_VAPID_SUBJECT };
  }
}

/** The JWT's lifetime (the spec allows up to 24 h); a header is rebuilt once less than REFRESH_BEFORE is left. */
const JWT_LIFETIME_S = 12 * 60 * 60;
const REFRESH_BEFORE_S = 60 * 60;

/**
 * `Authorization: vapid t=<jwt>, k=<key>` per push-service origin (the JWT's `aud`), built once
 * and reused until close to its expiry. web-push signs a fresh JWT (an ES256 signature, ~0.6 ms
 * CPU) on every send; a fan-out to one service needs just one.
 */
export class VapidHeaderCache {
  private readonly byOrigin = new Map<string, { header: string; expiresAt: number }>();
  /** How many JWTs were signed (for tests and the benchmark). */
  signed = 0;

  constructor(
    private readonly keys: VapidKeys,
    private readonly now: () => number = Date.now,
  ) {}

  authorization(origin: string): string {
    const nowS = Math.floor(this.now() / 1000);
    const cached = this.byOrigin.get(origin);
    if (cached && cached.expiresAt - nowS > REFRESH_BEFORE_S) return cached.header;
    const expiresAt = nowS + JWT_LIFETIME_S;
    const { Authorization } = webpush.getVapidHeaders(origin, this.keys.subject, this.keys.publicKey, this.keys.privateKey, 'aes128gcm', expiresAt);
    this.signed++;
    // Bounded: origins are push services on the allow-list, a handful at most.
    if (this.byOrigin.size > 64) this.byOrigin.clear();
    this.byOrigin.set(origin, { header: Authorization, expiresAt });
    return Authorization;
  }
}
