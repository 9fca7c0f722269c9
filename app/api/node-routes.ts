import type { IncomingMessage, ServerResponse } from 'node:http';
import { countRequest, metricsEnabled } from '@/features/metrics/server';
import { AppError } from '@/lib/errors';
import { decodePathSegment } from '@/lib/path-segment';
import type { ServeBeforeNext } from '@/lib/request-hook';
import { GET as runEvents } from './runs/[id]/events/node-route';
import { GET as sharedRunEvents } from './shared/runs/[id]/events/node-route';
import { GET as metrics } from '../metrics/node-route';
import { writeError } from './_lib/route';

type NodeHandler = (req: IncomingMessage, res: ServerResponse, params: Record<string, string>) => Promise<void>;

/**
 * API routes the app serves itself, before Next sees the request (`lib/request-hook.ts`). Only
 * long-lived streams belong here: a viewer of a run may stay for hours, and thousands of them
 * must cost little memory and little CPU per event (see `streamRunEvents`). Everything else
 * stays a Next route handler, but for `/metrics` (below).
 */
const nodeRoutes: Array<{ route: string; methods: Record<string, NodeHandler> }> = [
  { route: 'runs/[id]/events', methods: { GET: runEvents } },
  { route: 'shared/runs/[id]/events', methods: { GET: sharedRunEvents } },
];

// `runs/[id]/events` → /^\/api\/runs\/([^/]*)\/events\/?$/ and its parameter names, as Next reads folder names.
const compiled = nodeRoutes.map(({ route, methods }) => ({
  route: `/api/${route}`,
  pattern: new RegExp(`^/api/${route.replace(/\[\w+\]/g, '([^/]*)')}/?$`),
  params: [...route.matchAll(/\[(\w+)\]/g)].map((match) => match[1]!),
  methods,
}));

export const serveApiBeforeNext: ServeBeforeNext = (req, res) => {
  const pathname = (req.url ?? '/').split('?')[0]!;
  // On any Host, since a scraper addresses the instance, not a workspace. Without a token it is
  // left to Next, which answers it as any unknown path (404): nothing says the feature exists.
  if (pathname === '/metrics' && metricsEnabled()) {
    void metrics(req, res);
    return true;
  }
  for (const { route, pattern, params, methods } of compiled) {
    const match = pattern.exec(pathname);
    if (!match) continue;
    const handler = methods[req.method ?? 'GET'];
    if (!handler) {
      res.setHeader('allow', Object.keys(methods).join(', '));
      writeError(res, new AppError('method_not_allowed', `Use ${Object.keys(methods).join(' or ')} here.`));
      return true;
    }
    // Counted once it closed: a stream's status is known from its first byte, but it may last hours.
    res.once('close', () => countRequest({ route, method: req.method ?? 'GET', status: res.statusCode }));
    void handler(req, res, Object.fromEntries(params.map((name, index) => [name, decodePathSegment(match[index + 1]!)])));
    return true;
  }
  return false;
};
