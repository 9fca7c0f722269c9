import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Same as tsconfig `paths` ("@/*" → repo root); a regex so scoped packages (@scope/x) are untouched.
    alias: [
      { find: /^@\//, replacement: fileURLToPath(new URL('./', import.meta.url)) },
      // Outside Next's react-server build, `server-only` throws on import; tests run server code directly.
      { find: /^server-only$/, replacement: fileURLToPath(new URL('./node_modules/server-only/empty.js', import.meta.url)) },
    ],
  },
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules', '.next', 'tests/e2e/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: true,
    setupFiles: ['tests/fixtures/unmount-after-file.ts'],
    // The default reserve (2 GB free) would refuse every send on a small CI disk; the reserve's own test sets its own.
    env: { TETHER_DISK_RESERVE_MB: '100' },
  },
});
