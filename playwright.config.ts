import { defineConfig } from '@playwright/test';

/**
 * End-to-end flows in Debian's Chromium against the production build, started on its
 * embedded defaults (PGlite, demo model) with a fresh data folder. `*.localhost` resolves to
 * loopback in Chromium, so `demo.localhost` is the demo workspace's real address here too.
 */
export const E2E_PORT = 3210;
export const E2E_DATA_DIR = '.e2e-data';
/**
 * The test push service's key and certificate (tests/e2e/support/push.ts serves with them). Made
 * before the app starts, which trusts the certificate through NODE_EXTRA_CA_CERTS: Node reads
 * that once, at start.
 */
export const E2E_PUSH_TLS_DIR = `${E2E_DATA_DIR}/push-tls`;
const makePushCertificate = [
  `mkdir -p ${E2E_PUSH_TLS_DIR}`,
  `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -days 1 -keyout ${E2E_PUSH_TLS_DIR}/key.pem -out ${E2E_PUSH_TLS_DIR}/cert.pem 2>/dev/null`,
].join(' && ');

export default defineConfig({
  testDir: 'tests/e2e',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  globalTeardown: './tests/e2e/support/unmount-data.ts',
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
    // `npm run build`: next build, then serwist build (the service worker, public/sw.js).
    // Workspaces sit on loop-mounted images under the data folder: detach them before deleting it.
    command: `npx tsx scripts/unmount-under.ts ${E2E_DATA_DIR} && rm -rf ${E2E_DATA_DIR} && ${makePushCertificate} && npm run build && npx next start -p ${E2E_PORT}`,
    url: `http://127.0.0.1:${E2E_PORT}/api/health`,
    timeout: 240_000,
    reuseExistingServer: false,
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      TETHER_DATA_DIR: E2E_DATA_DIR,
      LOG_LEVEL: 'warn',
      // The default (2 GB free) would refuse sends on a small CI disk.
      TETHER_DISK_RESERVE_MB: '100',
      // The test push service runs on 127.0.0.1 with a self-signed certificate.
      PUSH_ALLOWED_HOSTS: '127.0.0.1',
      NODE_EXTRA_CA_CERTS: `${E2E_PUSH_TLS_DIR}/cert.pem`,
    },
  },
});
