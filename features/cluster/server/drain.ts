import 'server-only';
import { AppError } from '@/lib/errors';

/** What a send reaching a draining instance is told to wait before trying again (another instance, or this one restarted). */
const DRAINING_RETRY_AFTER_SECONDS = 5;

const store = globalThis as { tetherDraining?: boolean };

/** SIGTERM: this instance takes no new runs from now on (its health check says so); its runs go on. */
export function startDraining(): void {
  store.tetherDraining = true;
}

export function isDraining(): boolean {
  return store.tetherDraining === true;
}

/** Refuses a new run while draining: 503 with Retry-After, which a balancer may retry on another instance. */
export function assertNotDraining(): void {
  if (!isDraining()) return;
  throw new AppError('unavailable:draining', 'This server is restarting. Send your message again in a few seconds.', { retryAfterSeconds: DRAINING_RETRY_AFTER_SECONDS });
}
