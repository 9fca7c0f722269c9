import 'server-only';
import { db } from '@/lib/db/connection';

/** This instance is alive. */
export async function beat(instanceId: string) {
  await (await db()).call('instance_heartbeat', { p_id: instanceId });
}

/** At a clean shutdown: this instance is gone. */
export async function leave(instanceId: string) {
  await (await db()).call('instance_leave', { p_id: instanceId });
}
