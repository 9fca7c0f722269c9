import { defineConfig } from '@playwright/test';

/**
 * End-to-end flows in Debian's Chromium against the production build, started on its
 * embedded defaults (PGlite, demo model) with a fresh data folder. `*.localhost` resolves to
 * loopback in Chromium, so `demo.localhost` is the demo workspace's real address here too.
 */
export const E2E_PORT = 3210;
export const E2E_DATA_DIR = '.e2e-data';

export default defineConfig({
  testDir: 'tests/e2e',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: process.env.CI ? 'list' : 'line',
  use: {
    baseURL: `http://demo.localhost:${E2E_PORT}`,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
  webServer: {
    command: `rm -rf ${E2E_DATA_DIR} && npx next build && npx next start -p ${E2E_PORT}`,
    url: `http://127.0.0.1:${E2E_PORT}/api/health`,
    timeout: 240_000,
    reuseExistingServer: false,
    stdout: 'ignore',
    stderr: 'pipe',
    env: { TETHER_DATA_DIR: E2E_DATA_DIR, LOG_LEVEL: 'warn' },
  },
});
