import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, isApiError, requestJson } from './api-client';
import { AppError, errorBody } from './errors';

// A real HTTP server: one path answers as the app does (`{ error }`), one as a proxy would (bare HTML).
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/app') {
      res.writeHead(404, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify(errorBody(new AppError('not_found:conversation', 'No such conversation.'))));
    }
    res.writeHead(404, { 'content-type': 'text/html' });
    res.end('<h1>Not Found</h1>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function caught(url: string): Promise<unknown> {
  return requestJson(url).then(
    () => null,
    (error: unknown) => error,
  );
}

describe('requestJson and isApiError', () => {
  it("branch on the server's code, not on the status", async () => {
    const answered = await caught(`${base}/app`);
    expect(answered).toMatchObject({ status: 404, code: 'not_found:conversation', message: 'No such conversation.' });
    expect(isApiError(answered, 'not_found:conversation')).toBe(true);
    expect(isApiError(answered, 'not_found:share', 'not_found:conversation')).toBe(true);
    expect(isApiError(answered, 'not_found:run')).toBe(false);

    // The same status without the app's body is not the app saying "no such conversation".
    const bare = await caught(`${base}/elsewhere`);
    expect(bare).toBeInstanceOf(ApiError);
    expect(bare).toMatchObject({ status: 404, code: 'unknown', message: 'Request failed (404)' });
    expect(isApiError(bare, 'not_found:conversation')).toBe(false);
    expect(isApiError(new Error('not_found:conversation'), 'not_found:conversation')).toBe(false);
  });

  it('takes only codes the server has (a typo fails tsc, checked by the @ts-expect-error lines)', async () => {
    const answered = await caught(`${base}/app`);
    // @ts-expect-error: a misspelt code is not in ErrorCodes.
    expect(isApiError(answered, 'not_found:conversaton')).toBe(false);
    const code = (answered as ApiError).code;
    // @ts-expect-error: comparing the code with a misspelt one has no overlap.
    expect(code === 'not_found:conversaton').toBe(false);
    expect(code === 'not_found:conversation').toBe(true);
  });
});
