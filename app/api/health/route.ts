import { db } from '@/lib/db/instance';

export const dynamic = 'force-dynamic';

/** For load balancers and the test runner: 200 once the database is open. Needs no workspace. */
export async function GET() {
  await db();
  return Response.json({ ok: true });
}
