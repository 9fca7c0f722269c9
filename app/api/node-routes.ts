import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError } from '@/lib/errors';
import type { ServeBeforeNext } from '@/lib/request-hook';
import { GET as runEvents } from './runs/[id]/events/node-route';
import { GET as sharedRunEvents } from './shared/runs/[id]/events/node-route';
import { writeError } from './_lib/route';

type NodeHandler = (req: IncomingMessage, res: ServerResponse, params: Record<string, string>) => Promise<void>;

/**
 * API routes the app serves itself, before Next sees the request (`lib/request-hook.ts`). Only
 * long-lived streams belong here: a viewer of a run may stay for hours, and thousands of them
 * must cost little memory and little CPU per event (see `streamRunEvents`). Everything else
 * stays a Next route handler.
 */
const nodeRoutes: Array<{ route: string; methods: Record<string, NodeHandler> }> = [
  { route: 'runs/[id]/events', methods: { GET: runEvents } },
  { route: 'shared/runs/[id]/events', methods: { GET: sharedRunEvents } },
];

// `runs/[id]/events` → /^\/api\/runs\/([^/]*)\/events\/?$/ and its parameter names, as Next reads folder names.
const compiled = nodeRoutes.map(({ route, methods }) => ({
  pattern: new RegExp(`^/api/${route.replace(/\[\w+\]/g, '([^/]*)')}/?$`),
  params: [...route.matchAll(/\[(\w+)\]/g)].map((match) => match[1]!),
  methods,
}));

export const serveApiBeforeNext: ServeBeforeNext = (req, res) => {
  const pathname = (req.url ?? '/').split('?')[0]!;
  for (const { pattern, params, methods } of compiled) {
    const match = pattern.exec(pathname);
    if (!match) continue;
    const handler = methods[req.method ?? 'GET'];
    if (!handler) {
      res.setHeader('allow', Object.keys(methods).join(', '));
      writeError(res, new AppError('method_not_allowed', `Use ${Object.keys(methods).join(' or ')} here.`));
      return true;
    }
    void handler(req, res, Object.fromEntries(params.map((name, index) => [name, safeDecode(match[index + 1]!)])));
    return true;
  }
  return false;
};

/** A path segment as Next would hand it to a route (a malformed escape stays as it was). */
function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
