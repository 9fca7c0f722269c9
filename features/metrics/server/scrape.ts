import 'server-only';
import { createHash, timingSafeEqual } from 'node:crypto';
import { serverEnv } from '@/lib/env';
import { AppError } from '@/lib/errors';
import { scrapedRegistry } from './registry';

/** Whether this instance serves `/metrics` at all: only with TETHER_METRICS_TOKEN set. */
export function metricsEnabled(): boolean {
  return serverEnv().TETHER_METRICS_TOKEN !== undefined;
}

/**
 * This instance's metrics in the Prometheus text format, for a caller whose `Authorization`
 * header carries the token; anyone else gets `unauthorized:metrics_token` (401). The figures
 * (workspaces' names, spend) are the operator's, so a missing token is not "public".
 */
export async function scrapeMetrics(authorization: string | null): Promise<{ contentType: string; text: string }> {
  const token = serverEnv().TETHER_METRICS_TOKEN;
  if (!token || !bearerMatches(authorization, token)) throw new AppError('unauthorized:metrics_token', 'Send the metrics token as Authorization: Bearer <TETHER_METRICS_TOKEN>.');
  const registry = scrapedRegistry();
  return { contentType: registry.contentType, text: await registry.metrics() };
}

/**
 * Compares in constant time: both sides are hashed first, so neither the token's length nor how
 * much of it a guess got right shows in the time the answer takes.
 */
function bearerMatches(authorization: string | null, token: string): boolean {
  const match = /^Bearer +(\S+) *$/i.exec(authorization ?? '');
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(match?.[1] ?? ''), digest(token)) && match !== null;
}
