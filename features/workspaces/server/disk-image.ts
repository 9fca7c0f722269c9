import 'server-only';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { recordMountMadeHere } from '@/lib/mounts';

/**
 * A workspace's files on a filesystem of their own: a sparse ext4 image beside workspace.json
 * (`<workspace>/files.img`), loop-mounted at `<workspace>/files`. The kernel then refuses any write
 * past its size with ENOSPC — the shell's as much as the file tools' — and nothing else on the
 * host's disk can fill up through it. Mounting needs root (CAP_SYS_ADMIN) and loop devices.
 */

export const IMAGE_NAME = 'files.img';
/** Where a workspace's existing files wait while their image is made. */
export const STAGING_NAME = '.files-to-image';

export type ImageSupport = { supported: true } | { supported: false; reason: string };

// Once per process: make, mount and drop a tiny image where nobody looks.
const PROBE = `set -eu
dir=$(mktemp -d)
trap 'umount "$dir/m" 2>/dev/null || true; rm -rf "$dir"' EXIT
truncate -s 8M "$dir/i"
mkfs.ext4 -q -F "$dir/i"
mkdir "$dir/m"
mount -o loop "$dir/i" "$dir/m"`;

/**
 * Makes (first time) and mounts a workspace's image, and grows it to the size asked for. Runs
 * under flock on `<workspace>/.disk.lock` and checks the mount table inside the lock, so two
 * servers on one machine sharing the workspaces folder neither race nor mount twice. The first
 * time, the folder's existing files move into the image (`mkfs -d`); each step can be redone, so a
 * crash halfway is finished by the next start. lost+found is removed: the agent and the Files
 * panel see only the workspace's own files. Growing a mounted image needs CAP_SYS_RESOURCE
 * (online resize); without it the image is left as it was and grows, offline, at its next mount.
 * Prints what it did.
 */
const MOUNT = `set -eu
root=$1 size=$2
img=$root/${IMAGE_NAME} files=$root/files staging=$root/${STAGING_NAME}
current() { stat -c %s "$img"; }
if ! mountpoint -q "$files"; then
  if [ ! -e "$img" ]; then
    if [ ! -d "$staging" ]; then mkdir -p "$files"; mv "$files" "$staging"; fi
    truncate -s "$size" "$img.new"
    # A fresh sparse file reads as zeros, so the journal and inode tables need no zeroing.
    mkfs.ext4 -q -F -m 0 -E lazy_itable_init=1,lazy_journal_init=1 -d "$staging" "$img.new"
    mv "$img.new" "$img"
    echo created
  elif [ "$size" -gt "$(current)" ]; then
    truncate -s "$size" "$img"
    e2fsck -f -p "$img" >/dev/null || [ $? -le 1 ]
    resize2fs "$img" >/dev/null 2>&1
    echo grown
  fi
  mkdir -p "$files"
  mount -o loop,nosuid,nodev "$img" "$files"
  rmdir "$files/lost+found" 2>/dev/null || true
  rm -rf "$staging"
  echo mounted
elif [ "$size" -gt "$(current)" ]; then
  before=$(current) device=$(findmnt -n -o SOURCE --mountpoint "$files")
  truncate -s "$size" "$img"
  losetup -c "$device"
  if resize2fs "$device" >/dev/null 2>&1; then echo grown; else
    truncate -s "$before" "$img"
    losetup -c "$device"
    echo grow_deferred
  fi
fi`;

const store = globalThis as { tetherImageSupport?: ImageSupport };

/** Whether this process may loop-mount images (root with loop devices), probed once. */
export function imageSupport(): ImageSupport {
  if (store.tetherImageSupport) return store.tetherImageSupport;
  try {
    execFileSync('sh', ['-c', PROBE], { stdio: ['ignore', 'ignore', 'pipe'] });
    store.tetherImageSupport = { supported: true };
  } catch (error) {
    store.tetherImageSupport = { supported: false, reason: lastLine(error) };
  }
  return store.tetherImageSupport;
}

/**
 * Makes sure `<root>/files` is the workspace's image, mounted, and asks for it to be `sizeBytes`
 * big (an image never shrinks: ext4 shrinks only offline, and only as far as its files allow).
 * Returns what it did: created, grown, mounted, grow_deferred.
 */
export function mountImage({ root, sizeBytes }: { root: string; sizeBytes: number }): string[] {
  const output = execFileSync(...mountImageCommand({ root, sizeBytes }), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const steps = output.split('\n').filter(Boolean);
  if (steps.includes('mounted')) recordMountMadeHere(path.join(root, 'files'));
  return steps;
}

/** The command line that does it (exported so a test can run two at once, as two servers would). */
export function mountImageCommand({ root, sizeBytes }: { root: string; sizeBytes: number }): [string, string[]] {
  return ['flock', ['-w', '600', path.join(root, '.disk.lock'), 'sh', '-c', MOUNT, 'sh', root, String(sizeBytes)]];
}

export function lastLine(error: unknown): string {
  const stderr = (error as { stderr?: Buffer | string }).stderr?.toString().trim();
  return stderr?.split('\n').at(-1) || (error instanceof Error ? error.message : String(error));
}
