import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// lib/env caches serverEnv() on first use, and the secret is cached on globalThis: set both up
// before the module under test is imported.
const dataRoot = mkdtempSync(path.join(tmpdir(), 'visitor-cookie-'));
process.env.TETHER_DATA_DIR = dataRoot;
delete process.env.SESSION_SECRET;
const globalStore = globalThis as { tetherSessionSecret?: Buffer };
delete globalStore.tetherSessionSecret;

let cookies: typeof import('./visitor-cookie');
beforeAll(async () => {
  cookies = await import('./visitor-cookie');
});
afterAll(() => rmSync(dataRoot, { recursive: true, force: true }));

const secretFile = path.join(dataRoot, 'session-secret');

describe('issue and verify', () => {
  it('round-trips a new visitor id', async () => {
    const { visitorId, value } = await cookies.issueVisitorCookie({ secure: false, address: '127.0.0.1' });
    expect(visitorId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(value.startsWith(`${visitorId}.`)).toBe(true);
    expect(cookies.verifyVisitorCookie(value)).toBe(visitorId);
  });

  it('gives every visitor a different id', async () => {
    const a = await cookies.issueVisitorCookie({ secure: false, address: '127.0.0.1' });
    const b = await cookies.issueVisitorCookie({ secure: false, address: '127.0.0.1' });
    expect(a.visitorId).not.toBe(b.visitorId);
  });

  it('rejects tampered, malformed and empty values', async () => {
    const { visitorId, value } = await cookies.issueVisitorCookie({ secure: false, address: '127.0.0.1' });
    const signature = value.split('.')[1] ?? '';
    const other = await cookies.issueVisitorCookie({ secure: false, address: '127.0.0.1' });
    const flipped = `${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`;
    for (const bad of [
      `${other.visitorId}.${signature}`, // someone else's id with this signature
      `${visitorId}.${flipped}`,
      `${visitorId}.${signature.slice(0, -2)}`,
      `${value}.extra`,
      `${visitorId}..${signature}`,
      `not-a-uuid.${signature}`,
      `${visitorId}.`,
      visitorId,
      '.',
      '',
      undefined,
    ]) {
      expect(cookies.verifyVisitorCookie(bad), String(bad)).toBeNull();
    }
  });
});

describe('the signing secret', () => {
  it('is generated once in the data root with mode 0600 and reused', async () => {
    const { value } = await cookies.issueVisitorCookie({ secure: false, address: '127.0.0.1' });
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
    const key = readFileSync(secretFile, 'utf8');
    expect(key.length).toBeGreaterThanOrEqual(40);

    // A restart forgets the in-memory copy; the file must be read back, not replaced.
    delete globalStore.tetherSessionSecret;
    expect(cookies.verifyVisitorCookie(value)).not.toBeNull();
    expect(readFileSync(secretFile, 'utf8')).toBe(key);
  });

  it('is SESSION_SECRET when that is set', async () => {
    const configured = 's'.repeat(40);
    process.env.SESSION_SECRET = configured;
    delete globalStore.tetherSessionSecret;
    vi.resetModules();
    try {
      const fresh = await import('./visitor-cookie');
      const { visitorId, value } = await fresh.issueVisitorCookie({ secure: false, address: '127.0.0.1' });
      expect(value).toBe(`${visitorId}.${createHmac('sha256', configured).update(visitorId).digest('base64url')}`);
    } finally {
      delete process.env.SESSION_SECRET;
      delete globalStore.tetherSessionSecret;
    }
  });
});

describe('cookie options', () => {
  it('is __Host-tether_visitor over https, tether_visitor over plain http', async () => {
    expect(cookies.visitorCookieName({ secure: true })).toBe('__Host-tether_visitor');
    expect(cookies.visitorCookieName({ secure: false })).toBe('tether_visitor');
    expect((await cookies.issueVisitorCookie({ secure: true, address: '127.0.0.1' })).name).toBe('__Host-tether_visitor');
    expect((await cookies.issueVisitorCookie({ secure: false, address: '127.0.0.1' })).name).toBe('tether_visitor');
  });

  it('sets Secure only when asked, always HttpOnly and SameSite=Lax, never a Domain', async () => {
    const secure = await cookies.issueVisitorCookie({ secure: true, address: '127.0.0.1' });
    const plain = await cookies.issueVisitorCookie({ secure: false, address: '127.0.0.1' });
    expect(secure.options).toMatchObject({ httpOnly: true, sameSite: 'lax', secure: true, path: '/' });
    // What browsers require of a __Host- cookie: Secure, Path=/ and no Domain.
    const header = cookies.serializeCookie(secure.name, secure.value, secure.options);
    expect(header).toMatch(new RegExp(`^__Host-tether_visitor=${secure.value}; Path=/; Max-Age=\\d+; HttpOnly; SameSite=Lax; Secure$`));
    expect(cookies.serializeCookie(plain.name, plain.value, plain.options)).toMatch(/^tether_visitor=[^;]+; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax$/);
  });
});
