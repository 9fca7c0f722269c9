import { readdirSync } from 'node:fs';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

/**
 * The fences of STYLE.md, held by the linter: imports flow lib → features → app, and a feature
 * uses another only through its public entry (index.ts for the client, server.ts for the server,
 * worker.ts for the service worker).
 */
const features = readdirSync('features', { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
const publicEntries = (except) => features.filter((name) => name !== except).flatMap((name) => [`./${name}/index.ts`, `./${name}/server.ts`, `./${name}/worker.ts`]);

export default tseslint.config(
  { ignores: ['.next/', 'node_modules/', '.data/', '.e2e-data/', 'test-results/', 'playwright-report/', 'next-env.d.ts', 'public/sw.js'] },
  ...tseslint.configs.recommended,
  {
    plugins: { 'import-x': importX, 'react-hooks': reactHooks },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver()] },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'import-x/no-cycle': 'error',
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            { target: './lib', from: ['./features', './app'], message: 'lib/ is plumbing with no product knowledge.' },
            { target: './features', from: './app', message: 'Features do not import routes.' },
            // Runs announce what happened (run-notices.ts); push listens. Runs never call push.
            { target: './features/runs', from: './features/push', message: 'Runs do not know about push: announce through run-notices.ts.' },
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
