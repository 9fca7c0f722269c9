import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { featureOrder } from '../../eslint.config.mjs';

// The project's own eslint.config.mjs, run through ESLint's Node API as `npm run lint` runs it.
const root = path.resolve(__dirname, '../..');
const fixtures = path.join(root, 'tests/lint/fixtures');
const lint = new ESLint({ cwd: root });
// The fixtures are ignored by `eslint .`; here they are linted on purpose.
const lintIgnored = new ESLint({ cwd: root, ignore: false });

type Found = { file: string; line: number; rule: string | null; message: string };

/** A fixture's text, linted as though it were the file at `asFile` (relative to the root). */
async function lintAs({ fixture, asFile }: { fixture: string; asFile: string }): Promise<Found[]> {
  const text = await readFile(path.join(fixtures, fixture), 'utf8');
  const results = await lint.lintText(text, { filePath: path.join(root, asFile) });
  return results.flatMap((result) => result.messages.map((m) => ({ file: asFile, line: m.line, rule: m.ruleId, message: m.message })));
}

async function lintFixtures(folder: string): Promise<Found[]> {
  const results = await lintIgnored.lintFiles([path.join(fixtures, folder)]);
  return results
    .flatMap((result) => result.messages.map((m) => ({ file: path.relative(fixtures, result.filePath), line: m.line, rule: m.ruleId, message: m.message })))
    .sort((a, b) => a.file.localeCompare(b.file));
}

describe('the fences in eslint.config.mjs', () => {
  it('refuses an import up the feature order', async () => {
    const at = featureOrder.indexOf('conversations');
    const [below, above] = [featureOrder.slice(0, at), featureOrder.slice(at + 1)];
    expect(await lintAs({ fixture: 'import-up-the-order.ts', asFile: 'features/conversations/import-up-the-order.ts' })).toEqual([
      {
        file: 'features/conversations/import-up-the-order.ts',
        line: 2,
        rule: 'import-x/no-restricted-paths',
        message: `Unexpected path "@/features/runs" imported in restricted zone. conversations sits below ${above.join(', ')} in featureOrder (eslint.config.mjs): it may import only ${below.join(', ')}. Announce an event the higher feature listens to.`,
      },
    ]);
  });

  it('lets the same import through from a feature above', async () => {
    expect(await lintAs({ fixture: 'import-up-the-order.ts', asFile: 'features/push/import-up-the-order.ts' })).toEqual([]);
  });

  it("still refuses another feature's internals, even below", async () => {
    expect(await lintAs({ fixture: 'import-internals.ts', asFile: 'features/push/import-internals.ts' })).toEqual([
      {
        file: 'features/push/import-internals.ts',
        line: 2,
        rule: 'import-x/no-restricted-paths',
        message: 'Unexpected path "@/features/timeline/chat-items" imported in restricted zone. Use the other feature\'s index.ts or server.ts.',
      },
    ]);
  });

  it('refuses a cycle made only of type imports, on both sides', async () => {
    const message = (source: string) => `Dependency cycle through a type import: "${source}" leads back here. Move the shared type down to where both can import it.`;
    expect(await lintFixtures('type-cycle')).toEqual([
      { file: 'type-cycle/line.ts', line: 1, rule: 'tether/no-type-cycle', message: message('./order') },
      { file: 'type-cycle/order.ts', line: 1, rule: 'tether/no-type-cycle', message: message('./line') },
    ]);
  });

  it('refuses a cycle that closes through one type import', async () => {
    const message = (source: string) => `Dependency cycle through a type import: "${source}" leads back here. Move the shared type down to where both can import it.`;
    expect(await lintFixtures('mixed-cycle')).toEqual([
      { file: 'mixed-cycle/currency.ts', line: 1, rule: 'tether/no-type-cycle', message: message('./price') },
      { file: 'mixed-cycle/price.ts', line: 1, rule: 'tether/no-type-cycle', message: message('./currency') },
    ]);
  });

  it('leaves a value cycle to import-x/no-cycle, reported once per import', async () => {
    expect(await lintFixtures('value-cycle')).toEqual([
      { file: 'value-cycle/ping.ts', line: 1, rule: 'import-x/no-cycle', message: 'Dependency cycle detected' },
      { file: 'value-cycle/pong.ts', line: 1, rule: 'import-x/no-cycle', message: 'Dependency cycle detected' },
    ]);
  });

  it('keeps the fixtures out of the normal `eslint .` run', async () => {
    expect(await lint.isPathIgnored(path.join(fixtures, 'type-cycle/order.ts'))).toBe(true);
    expect(await lint.isPathIgnored(path.join(root, 'features/runs/vocabulary.ts'))).toBe(false);
  });
});
