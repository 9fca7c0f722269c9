import { chromium, type Browser, type BrowserContext } from 'playwright';

/** Debian's Chromium, headless, as the browser tests run it. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A fresh browser context of the bench visitor (its cookie), opening `conversationId` in its tab when given. */
export async function visitorContext(browser: Browser, cookie: string, conversationId?: string): Promise<BrowserContext> {
  const context = await browser.newContext();
  const [name, value] = cookie.split('=') as [string, string];
  await context.addCookies([{ name, value, domain: 'demo.localhost', path: '/', httpOnly: true, sameSite: 'Lax' }]);
  if (conversationId) await context.addInitScript((id) => sessionStorage.setItem('tether-tab-conversation:demo', id), conversationId);
  return context;
}
