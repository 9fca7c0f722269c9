/**
 * What every answer to a hostile request must be: never a 5xx; every 4xx exactly
 * `{ error: { code, message } }` as JSON; no 2xx carrying the owner's secret.
 */
import { expect } from 'vitest';
import { z } from 'zod';

const errorShape = z.strictObject({ error: z.strictObject({ code: z.string().min(1), message: z.string().min(1) }) });

async function readBody(response: Response): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const stuck = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`a ${response.status} body that never ends`)), 5000)));
  try {
    return await Promise.race([response.text(), stuck]);
  } finally {
    clearTimeout(timer);
  }
}

export async function expectWellBehaved(response: Response, ownerSecret: string) {
  const text = await readBody(response);
  const what = `${response.status} ${response.headers.get('content-type')} ${text.slice(0, 300)}`;
  expect(response.status, what).toBeGreaterThanOrEqual(200);
  expect(response.status, what).toBeLessThan(500);
  if (response.status < 400) {
    expect(text, "a 2xx to someone else carries the owner's data").not.toContain(ownerSecret);
    if (/^application\/json/.test(response.headers.get('content-type') ?? '')) expect(() => JSON.parse(text), what).not.toThrow();
    return;
  }
  expect(response.headers.get('content-type'), what).toMatch(/^application\/json/);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`a 4xx body that is not JSON: ${what}`);
  }
  expect(errorShape.safeParse(json).success, `not exactly { error: { code, message } }: ${what}`).toBe(true);
}
