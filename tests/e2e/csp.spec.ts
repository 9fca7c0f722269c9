import { expect, test, type Page, type Response } from '@playwright/test';
import { chooseFromConversationMenu, log, send } from './support/chat';

type Violation = { directive: string; blocked: string };
type Watched = Window & { cspViolations?: Violation[]; injectedRan?: boolean };

/** Every CSP violation the page reports, from its first script on. */
async function watchViolations(page: Page) {
  await page.addInitScript(() => {
    const seen: { directive: string; blocked: string }[] = [];
    (window as Watched).cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (event) => seen.push({ directive: event.effectiveDirective, blocked: event.blockedURI }));
  });
}

/** What the page reported, but for the eval Playwright's own page.evaluate() is seen as. */
const violations = async (page: Page) => (await page.evaluate(() => (window as Watched).cspViolations ?? [])).filter((violation) => violation.blocked !== 'eval');

/** The page's nonce, after checking that its scripts may run with it alone. */
function scriptNonce(response: Response | null): string {
  const policy = response?.headers()['content-security-policy'] ?? '';
  const scripts = policy.split('; ').find((directive) => directive.startsWith('script-src ')) ?? '';
  expect(scripts).not.toContain("'unsafe-inline'");
  const nonce = /'nonce-([A-Za-z0-9+/=]+)'/.exec(scripts)?.[1];
  expect(nonce).toBeDefined();
  return nonce!;
}

test('pages run only the scripts that carry their nonce: an injected inline script is blocked and reported, and the app chats as before', async ({ page }) => {
  await watchViolations(page);
  const first = await page.goto('/');
  const nonce = scriptNonce(first);
  // Every script Next wrote into the page carries it (inline hydration data and chunks alike).
  const tags = (await first!.text()).match(/<script\b[^>]*>/g) ?? [];
  expect(tags.length).toBeGreaterThan(1);
  for (const tag of tags) expect(tag).toContain(`nonce="${nonce}"`);

  await send(page, 'hello under a strict policy');
  await expect(log(page).getByTestId('run-end')).toBeVisible();
  await expect(log(page).getByTestId('assistant-message')).toHaveCount(1);
  expect(await violations(page)).toEqual([]);

  // What an injection would try: an inline script added to the page. It does not run, and the page hears why.
  const reported = await page.evaluate(
    () =>
      new Promise<Violation>((resolve) => {
        document.addEventListener('securitypolicyviolation', (event) => {
          if (event.blockedURI === 'inline') resolve({ directive: event.effectiveDirective, blocked: event.blockedURI });
        });
        const script = document.createElement('script');
        script.textContent = 'window.injectedRan = true';
        document.body.append(script);
      }),
  );
  expect(reported.directive).toMatch(/^script-src/);
  expect(await page.evaluate(() => (window as Watched).injectedRan)).toBeUndefined();

  // A reload is a new page: a new nonce, and the conversation is back.
  const again = await page.reload();
  expect(scriptNonce(again)).not.toBe(nonce);
  await expect(log(page).getByTestId('user-message')).toHaveText(['hello under a strict policy']);
});

test('the share page runs under its own nonce and shows the conversation', async ({ browser, page }) => {
  await page.goto('/');
  await send(page, 'hello for the viewer');
  await expect(log(page).getByTestId('run-end')).toBeVisible();
  await chooseFromConversationMenu(page, 'Share read-only');
  const dialog = page.getByRole('dialog', { name: 'Share read-only' });
  await dialog.getByRole('button', { name: 'Share read-only' }).click();
  const field = dialog.getByRole('textbox', { name: 'Share link' });
  await expect(field).toHaveValue(/\/shared#share=/);
  const url = await field.inputValue();

  const viewer = await browser.newContext();
  const shared = await viewer.newPage();
  await watchViolations(shared);
  scriptNonce(await shared.goto(url));
  await expect(log(shared).getByTestId('user-message')).toHaveText(['hello for the viewer']);
  await expect(log(shared).getByTestId('run-end')).toBeVisible();
  expect(await violations(shared)).toEqual([]);
  await viewer.close();
});
