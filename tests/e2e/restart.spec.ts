import { rmSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { unmountUnder } from '../../lib/mounts';
import { startAppServer, type AppServer } from './support/app-server';
import { send } from './support/chat';

const PORT = 3231;
const DATA_DIR = '.e2e-data/restart';
let server: AppServer | undefined;

test.afterEach(() => {
  server?.child.kill('SIGKILL');
});

test('a deploy mid-run: the drain hands the run over, the restarted server continues it, and a reload during the restart sees it complete', async ({ page }) => {
  unmountUnder(DATA_DIR); // its workspaces' disk images, left by an earlier run
  rmSync(DATA_DIR, { recursive: true, force: true });
  // A short drain: the run (ten seconds of counting) is still going at its deadline.
  const env = { TETHER_DRAIN_SECONDS: '1' };
  server = await startAppServer({ port: PORT, dataDir: DATA_DIR, env });
  const log = page.getByRole('log', { name: 'Conversation' });
  await page.goto(`http://demo.localhost:${PORT}/`);
  await send(page, 'count to 100');
  await expect(log.getByTestId('assistant-message')).toContainText('3 ');

  // SIGTERM drains, then hands the run over; the open event stream must not keep the server alive.
  server.child.kill('SIGTERM');
  await expect(log.getByText('This server is restarting; your run will continue.')).toBeVisible();
  expect(await server.exited).toBe(0);

  server = await startAppServer({ port: PORT, dataDir: DATA_DIR, env });
  await page.reload();
  await expect(log.getByTestId('user-message')).toHaveText('count to 100');
  await expect(log.getByText('Continued after a server restart.')).toBeVisible();
  await expect(log.getByTestId('run-end')).toHaveAttribute('data-status', 'completed', { timeout: 30_000 });
  await expect(log.getByTestId('assistant-message').last()).toContainText('100 ');
  await expect(log.getByTestId('user-message')).toHaveCount(1); // the continuation is not a message of the visitor's

  await send(page, 'are you still there?');
  await expect(log.getByTestId('assistant-message').last()).toContainText('That is message 2 from you in this session.');
});
