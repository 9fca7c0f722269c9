import { filePathSchema } from '@/features/workspaces';
import { readFileForViewer } from '@/features/workspaces/server';
import { parseInput } from '@/lib/http';
import { route } from '../../_lib/route';
import { filesOf } from '../files-of';

export const dynamic = 'force-dynamic';

/** A file of the workspace for the viewer: `?path=src/greet.ts` → `{ path, size, shown, reason, text }`. */
export const GET = route(async ({ req, visitorId, workspace }) => {
  const relative = parseInput(filePathSchema, req.nextUrl.searchParams.get('path') ?? undefined, 'query');
  return Response.json(readFileForViewer(await filesOf({ req, visitorId, workspace }), relative));
});
