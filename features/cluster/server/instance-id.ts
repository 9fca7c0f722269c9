import 'server-only';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dataDir, dataPath } from '@/lib/data-dir';

const store = globalThis as { tetherInstanceId?: string };

/**
 * This instance's id: which runs are its own. Kept in its data folder, so a restart is the same
 * instance (and interrupts what its earlier self left running), while another instance with a
 * folder of its own is another.
 */
export function instanceId(): string {
  if (store.tetherInstanceId) return store.tetherInstanceId;
  const file = dataPath('instance-id');
  if (!existsSync(file)) {
    dataDir();
    writeFileSync(file, `${randomUUID()}\n`, { flag: 'wx' });
  }
  return (store.tetherInstanceId = readFileSync(file, 'utf8').trim());
}
