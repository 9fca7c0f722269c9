import { exportFormatSchema } from '@/features/runs';
import { conversationExport } from '@/features/runs/server';
import { parseInput } from '@/lib/http';
import { route } from '../../../_lib/route';

/** The conversation as a download: `?format=md` (the default) or `?format=json`. */
export const GET = route.conversation(async ({ req, conversationId, actor, workspace }) => {
  const format = parseInput(exportFormatSchema, req.nextUrl.searchParams.get('format') ?? undefined, 'query');
  return conversationExport({ visitorId: actor, workspace, conversationId, format });
});
