import type { IncomingMessage, ServerResponse } from 'node:http';
import { scrapeMetrics } from '@/features/metrics/server';
import { AppError } from '@/lib/errors';
import { serveBeforeNext } from '../api/_lib/route';

/**
 * `GET /metrics` for Prometheus (README, "Metrics"): served before Next (`app/api/node-routes.ts`),
 * so it answers on any Host the app does, a workspace's or the bare address a scraper knows, and
 * never passes through the proxy's Host → workspace rewrite.
 */
export function GET(incoming: IncomingMessage, res: ServerResponse): Promise<void> {
  return serveBeforeNext(incoming, res, async (req) => {
    if (req.method !== 'GET') throw new AppError('method_not_allowed', 'Use GET here.');
    const { contentType, text } = await scrapeMetrics(req.headers.get('authorization')).catch((error: unknown) => {
      res.setHeader('www-authenticate', 'Bearer'); // what a 401 must say it takes (RFC 9110)
      throw error;
    });
    res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' }).end(text);
  });
}
