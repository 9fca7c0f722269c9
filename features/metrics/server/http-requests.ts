import 'server-only';
import { decodePathSegment } from '@/lib/path-segment';
import { counter } from './registry';

const requests = counter({
  name: 'tether_http_requests_total',
  help: 'API requests answered, by route pattern (/api/runs/[id]/stop, never a path with ids), method and status.',
  labelNames: ['route', 'method', 'status'],
});

/** One API request answered (for a stream: once it closed), counted under its route's pattern. */
export function countRequest({ route, method, status }: { route: string; method: string; status: number }): void {
  requests.inc({ route, method, status: String(status) });
}

/**
 * The route's pattern, from the request's path and the parameters Next matched in it: each
 * segment that is a parameter's value becomes `[name]`. A label per id would make a series per
 * conversation; a label per pattern is one per route file.
 */
export function routePattern(pathname: string, params: Record<string, string | string[] | undefined> | undefined): string {
  const nameOf = new Map<string, string>();
  // A route without dynamic segments gets no params at all from Next.
  for (const [name, value] of Object.entries(params ?? {})) {
    for (const item of [value ?? []].flat()) nameOf.set(item, name);
  }
  return pathname
    .split('/')
    .map((segment) => {
      const name = nameOf.get(decodePathSegment(segment));
      return name === undefined ? segment : `[${name}]`;
    })
    .join('/');
}
