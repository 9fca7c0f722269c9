import 'server-only';
import { serverEnv } from '@/lib/env';
import { runGit, type GitRepo } from '@/lib/git';

/**
 * The git side of keeping a shadow repository's store bounded: which runs its refs pin, how much
 * it takes and how much a set of refs holds, dropping refs, and git's gc. The policy (which runs
 * go, and when) is prune.ts's.
 */

const RUN_REFS = 'refs/tether/runs/';

/** Each run with snapshot refs, and its refs (a before, and an after once it ended). */
export async function runRefs(repo: GitRepo, deadline: number): Promise<Map<string, string[]>> {
  // A ref name can't hold a newline (git refuses control characters in one): a line each.
  const { stdout } = await runGit(repo, ['for-each-ref', '--format=%(refname)', RUN_REFS], { deadline });
  const runs = new Map<string, string[]>();
  for (const ref of stdout.toString('utf8').split('\n').filter(Boolean)) {
    const runId = ref.slice(RUN_REFS.length).split('/')[0];
    if (runId) runs.set(runId, [...(runs.get(runId) ?? []), ref]);
  }
  return runs;
}

/** Deletes these refs in one transaction (one already gone is no failure). */
export async function dropRefs(repo: GitRepo, refs: string[], deadline: number): Promise<void> {
  if (refs.length === 0) return;
  await runGit(repo, ['update-ref', '--stdin'], { deadline, input: refs.map((ref) => `delete ${ref}\n`).join('') });
}

/** Bytes the store takes on disk: loose objects, packs and git's leftovers (`git count-objects`, in KiB). */
export async function storeBytes(repo: GitRepo, deadline: number): Promise<number> {
  const { stdout } = await runGit(repo, ['count-objects', '-v'], { deadline });
  const counts = Object.fromEntries(
    stdout
      .toString('utf8')
      .split('\n')
      .map((line) => line.split(': '))
      .filter((pair) => pair.length === 2)
      .map(([key, value]) => [key, Number(value)]),
  );
  return ((counts.size ?? 0) + (counts['size-pack'] ?? 0) + (counts['size-garbage'] ?? 0)) * 1024;
}

/**
 * Bytes on disk of the objects these refs hold, with those of the index (the files as the last
 * snapshot staged them, which no pruning frees): what the store would take once git's gc had
 * dropped everything else.
 */
export async function heldBytes(repo: GitRepo, refs: string[], deadline: number): Promise<number> {
  const { stdout } = await runGit(repo, ['rev-list', '--objects', '--disk-usage', '--indexed-objects', '--stdin'], { deadline, input: refs.map((ref) => `${ref}\n`).join('') });
  return Number(stdout.toString('utf8').trim()) || 0;
}

/**
 * How old an object no ref holds must be before git deletes it. Never "now": another instance on
 * the same volume may be between writing a snapshot's objects and the ref that pins them, and a
 * snapshot takes at most the timeout (a lock older than twice that is a crash's, shadow-repo.ts).
 */
export const pruneExpiry = () => `${2 * serverEnv().TETHER_SNAPSHOT_TIMEOUT_SECONDS}.seconds.ago`;

/**
 * git's gc with the expiry above (its own default keeps unreferenced objects two weeks). `full`
 * repacks at once, which is what frees dropped runs' objects that are packed: they come out loose
 * and go once past the expiry. Otherwise gc works only when loose objects or packs have piled up.
 */
export async function collectGarbage(repo: GitRepo, { full }: { full: boolean }, deadline: number): Promise<void> {
  // Not detached (git's default for --auto): a gc in the background would overlap this process's next snapshot, outside its queue.
  await runGit(repo, ['-c', 'gc.autoDetach=false', 'gc', '--quiet', `--prune=${pruneExpiry()}`, ...(full ? [] : ['--auto'])], { deadline });
}

/** Deletes the loose objects no ref or index holds that are past the expiry (what an earlier gc left loose). */
export async function pruneLoose(repo: GitRepo, deadline: number): Promise<void> {
  await runGit(repo, ['prune', `--expire=${pruneExpiry()}`], { deadline });
}
