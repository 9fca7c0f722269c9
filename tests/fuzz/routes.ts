/**
 * The routes the fuzz calls, found on disk: every route.ts under app/api (a Next route handler)
 * and every node-route.ts (a route served before Next, `app/api/node-routes.ts`).
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NextRequest } from 'next/server';

export const API_DIR = fileURLToPath(new URL('../../app/api', import.meta.url));
export const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

export type Handler = (req: NextRequest, context: { params: Promise<Record<string, string | string[]>> }) => Promise<Response>;

/** `conversations/[id]/messages` for each `file` under app/api; private `_folders` are not routes. */
function discoverRoutes(file: 'route.ts' | 'node-route.ts', dir = API_DIR, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isFile() && entry.name === file) return [prefix.slice(0, -1)];
    if (!entry.isDirectory() || entry.name.startsWith('_')) return [];
    return discoverRoutes(file, path.join(dir, entry.name), `${prefix}${entry.name}/`);
  });
}
export const nextRoutes = discoverRoutes('route.ts');
export const nodeRoutes = discoverRoutes('node-route.ts');
export const routes = [...nextRoutes, ...nodeRoutes].sort();
