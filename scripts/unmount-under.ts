/**
 * `tsx scripts/unmount-under.ts DIR`: detaches every mount at or below DIR (the workspaces' disk
 * images) so DIR can be deleted. `rm -rf` of a folder holding a mounted image would empty the
 * workspace through its mount and then fail, leaving the mount and its loop device behind.
 */
import { unmountUnder } from '../lib/mounts';

const dirs = process.argv.slice(2);
if (dirs.length === 0) {
  process.stderr.write('usage: tsx scripts/unmount-under.ts DIR...\n');
  process.exit(2);
}
for (const dir of dirs) for (const target of unmountUnder(dir)) process.stdout.write(`unmounted ${target}\n`);
