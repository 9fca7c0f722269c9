import { isDraining } from '@/features/cluster/server';
import { backlog, backlogTotal } from '@/lib/db/backlog';
import { db } from '@/lib/db/connection';

export const dynamic = 'force-dynamic';

/**
 * For load balancers and the test runner: 200 once the database is open. Needs no workspace.
 * `degraded` while this instance holds writes (transcript lines, run records) the database has
 * not taken yet — it still serves, so it stays 200 — and `ok` again once they landed. `draining`
 * (503) after SIGTERM: its runs go on, but new work belongs on another instance.
 */
export async function GET() {
  await db();
  if (isDraining()) return Response.json({ ok: false, status: 'draining', pending: backlog() }, { status: 503, headers: { 'retry-after': '5' } });
  const degraded = backlogTotal() > 0;
  return Response.json({ ok: !degraded, status: degraded ? 'degraded' : 'ok', pending: backlog() });
}
