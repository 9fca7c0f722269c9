/**
 * The API fuzz's seeds. Each run explores a fresh seed (FUZZ_SEED replays one), after replaying
 * the failures it found before: each kept in `pastFailures` with its route, and the seed and path
 * of fast-check's failure report. When the fuzz fails, fix the bug and add the report's
 * `{ seed, path }` here with its route and what it found. A path that no longer matches the
 * generators replays some other case of that seed, which is harmless; the hand-written finds in
 * api.fuzz.test.ts pin the exact inputs.
 */
import { randomInt } from 'node:crypto';
import fc from 'fast-check';
import { z } from 'zod';

export type PastFailure = { route: string; seed: number; path: string; found: string };

export const pastFailures: PastFailure[] = [
  // Found again with the control-character check of checkEndpoint taken out (the fix of the suite's first finds).
  { route: 'push/subscribe', seed: 373_350_790, path: '218:3:0:0:1:1', found: 'a NUL in a push endpoint: 500 from Postgres' },
  { route: 'runs/[id]/events', seed: 329_015_018, path: '198:2:1', found: 'an id of ".": the fuzz sent the URL resolved, which missed the route (the route answers 404 sent as is)' },
  { route: 'shared/runs/[id]/events', seed: 329_015_018, path: '198:2:1', found: 'an id of ".", as for runs/[id]/events' },
];

const env = z
  .object({
    // fast-check seeds are 32-bit integers.
    FUZZ_SEED: z.coerce
      .number()
      .int()
      .min(-(2 ** 31))
      .max(2 ** 31 - 1)
      .optional(),
    // Bounded so the file stays quick; FUZZ_RUNS=5000 for a long hunt.
    FUZZ_RUNS: z.coerce.number().int().positive().default(200),
  })
  .parse(process.env);

export const FUZZ_SEED = env.FUZZ_SEED ?? randomInt(2 ** 31 - 1);

/** Replays the route's past failures, each exactly (a path names one case), then explores FUZZ_SEED. */
export async function replayThenExplore<T>(route: string, property: fc.IAsyncProperty<T>) {
  for (const past of pastFailures.filter((each) => each.route === route)) {
    await fc.assert(property, { seed: past.seed, path: past.path, numRuns: 1 }).catch((error: Error) => {
      throw new Error(`A past failure is back (${past.found}): ${error.message}`);
    });
  }
  await fc.assert(property, { seed: FUZZ_SEED, numRuns: env.FUZZ_RUNS }).catch((error: Error) => {
    throw new Error(
      `app/api/${route} failed under FUZZ_SEED=${FUZZ_SEED}. Once fixed, keep it in tests/fuzz/seeds.ts as { route: '${route}', seed, path, found } from fast-check's report below.\n${error.message}`,
    );
  });
}
