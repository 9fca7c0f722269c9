import { readdirSync } from 'node:fs';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';
import { noTypeCycle } from './lint-rules/no-type-cycle.mjs';

/**
 * The fences of STYLE.md, held by the linter: imports flow lib → features → app, and a feature
 * uses another only through its public entry (index.ts for the client, server.ts for the server,
 * worker.ts for the service worker, vocabulary.ts for plain words all three share).
 *
 * The features form a declared order, lowest first: each may import only those below it. A lower
 * feature that must reach a higher one announces instead (runs publish run-notices.ts; push,
 * above, listens), so the graph stays a DAG and each layer can be read without the ones above.
 */
export const featureOrder = [
  'workspaces',
  'limits',
  'visitors',
  'cluster',
  'metrics',
  'conversations',
  'attachments',
  'sharing',
  'access',
  'files',
  'changes',
  'approvals',
  'sandbox',
  'agents',
  'timeline',
  'runs',
  'push',
  'shell',
];

const features = readdirSync('features', { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);
const unplaced = features.filter((name) => !featureOrder.includes(name));
const gone = featureOrder.filter((name) => !features.includes(name));
if (unplaced.length > 0 || gone.length > 0) {
  throw new Error(`eslint.config.mjs: featureOrder must list exactly the folders in features/ (not placed: ${unplaced.join(', ') || '-'}; no folder: ${gone.join(', ') || '-'}).`);
}
const publicEntries = (except) => features.filter((name) => name !== except).flatMap((name) => [`./${name}/index.ts`, `./${name}/server.ts`, `./${name}/worker.ts`, `./${name}/vocabulary.ts`]);
const orderZones = featureOrder.slice(0, -1).map((name, index) => ({
  target: `./features/${name}`,
  from: featureOrder.slice(index + 1).map((above) => `./features/${above}`),
  message: `${name} sits below ${featureOrder.slice(index + 1).join(', ')} in featureOrder (eslint.config.mjs): it may import only ${featureOrder.slice(0, index).join(', ') || 'no other feature'}. Announce an event the higher feature listens to.`,
}));

export default tseslint.config(
  { ignores: ['.next/', 'node_modules/', '.data/', '.e2e-data/', 'test-results/', 'playwright-report/', 'next-env.d.ts', 'public/sw.js', 'tests/lint/fixtures/'] },
  ...tseslint.configs.recommended,
  {
    plugins: { 'import-x': importX, 'react-hooks': reactHooks, tether: { rules: { 'no-type-cycle': noTypeCycle } } },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver()],
      // Without these import-x parses no .ts file, and import-x/no-cycle silently finds nothing.
      'import-x/extensions': importX.flatConfigs.typescript.settings['import-x/extensions'],
      'import-x/parsers': importX.flatConfigs.typescript.settings['import-x/parsers'],
    },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'import-x/no-cycle': 'error',
      'tether/no-type-cycle': 'error',
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            { target: './lib', from: ['./features', './app'], message: 'lib/ is plumbing with no product knowledge.' },
            { target: './features', from: './app', message: 'Features do not import routes.' },
            ...orderZones,
            { target: './app', from: './features', except: publicEntries(null), message: "Use the feature's index.ts or server.ts." },
            ...features.map((name) => ({
              target: `./features/${name}`,
              from: './features',
              except: [`./${name}`, ...publicEntries(name)],
              message: "Use the other feature's index.ts or server.ts.",
            })),
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Tests may reach into what they test, wherever it lives.
    files: ['**/*.test.ts'],
    rules: { 'import-x/no-restricted-paths': 'off' },
  },
  {
    files: ['lib/**', 'features/**', 'app/**', 'proxy.ts', 'instrumentation.ts', 'server-start.ts'],
    ignores: ['**/*.test.ts'],
    rules: { 'no-console': 'error' },
  },
  {
    // Files stay small (STYLE.md): past 250 lines a file is doing two jobs; split it along its seams.
    files: ['**/*.ts', '**/*.tsx'],
    rules: { 'max-lines': ['error', { max: 250 }] },
  },
);
