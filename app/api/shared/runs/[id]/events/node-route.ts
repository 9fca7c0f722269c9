import { openShare, SHARE_TOKEN_HEADER } from '@/features/sharing/server';
import { afterSeqSchema } from '@/features/runs';
import { findRun } from '@/features/runs/server';
import { streamRunEvents } from '@/features/timeline/server';
import { AppError } from '@/lib/errors';
import { parseInput } from '@/lib/http';
import { uuidSchema } from '@/lib/ids';
import { shareNodeRoute } from '../../../../_lib/share-route';

/** How often a share viewer's stream checks that the link is still on: turning it off ends the view within this. */
const RECHECK_MS = 2_000;

/** GET /api/shared/runs/:id/events — a run of the shared conversation, watched read-only (served before Next). */
export const GET = shareNodeRoute<{ id: string }>(async ({ req, params, workspace, shared, res }) => {
  const runId = parseInput(uuidSchema, params.id, 'params');
  const after = parseInput(afterSeqSchema, req.nextUrl.searchParams.get('after') ?? undefined, 'query');
  const run = await findRun({ runId, visitorId: shared.ownerId, workspace: workspace.name });
  if (run.conversationId !== shared.conversationId) throw new AppError('not_found:run', 'No such run.');
  if (res.destroyed) return;
  // Share viewers count under the conversation (not a visitor), and never stand in for the owner
  // watching: a run they see finish still notifies the owner's devices.
  await streamRunEvents({ run, visitorId: `share:${shared.conversationId}`, after, visible: false, res });
  const token = req.headers.get(SHARE_TOKEN_HEADER) ?? '';
  const recheck = setInterval(() => {
    openShare({ token, workspace: workspace.name }).catch(() => res.destroy());
  }, RECHECK_MS);
  res.once('close', () => clearInterval(recheck));
});
