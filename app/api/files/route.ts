import { filePathSchema } from '@/features/workspaces';
import { listFolder } from '@/features/workspaces/server';
import { parseInput } from '@/lib/http';
import { route } from '../_lib/route';
import { filesOf } from './files-of';

export const dynamic = 'force-dynamic';

/** A folder of the workspace: `?path=src` → `{ path, entries: [{ name, path, type, size }], more }`. */
export const GET = route(async ({ req, visitorId, workspace }) => {
  const relative = parseInput(filePathSchema, req.nextUrl.searchParams.get('path') ?? undefined, 'query');
  return Response.json(listFolder(await filesOf({ req, visitorId, workspace }), relative));
});
