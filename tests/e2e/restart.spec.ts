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

test('a server restart mid-run: streams close, the run shows as interrupted, the next message resumes the session', async ({ page }) => {
  unmountUnder(DATA_DIR); // its workspaces' disk images, left by an earlier run
  rmSync(DATA_DIR, { recursive: true, force: true });
  server = await startAppServer({ port: PORT, dataDir: DATA_DIR });
  const log = page.getByRole('log', { name: 'Conversation' });
  await page.goto(`http://demo.localhost:${PORT}/`);
  await send(page, 'count to 600');
  await expect(log.getByTestId('assistant-message')).toContainText('3 ');

  // The open event stream must not keep the server alive: SIGTERM ends the process.
  server.child.kill('SIGTERM');
  expect(await server.exited).toBe(0);

  server = await startAppServer({ port: PORT, dataDir: DATA_DIR });
  await page.reload();
  await expect(log.getByTestId('user-message')).toHaveText('count to 600');
  await expect(log.getByTestId('run-end')).toHaveAttribute('data-status', 'interrupted');
  await expect(log.getByText('This run was cut off when the server restarted.')).toBeVisible();

  await send(page, 'are you still there?');
  await expect(log.getByTestId('assistant-message').last()).toContainText('That is message 2 from you in this session.');
});
