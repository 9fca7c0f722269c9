import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { uuidSchema } from './ids';

describe('uuidSchema', () => {
  it('accepts a UUID as it is', () => {
    const id = randomUUID();
    expect(uuidSchema.parse(id)).toBe(id);
  });

  it.each(['', 'nope', '123', `${randomUUID()}x`, 42, null])('refuses %j with one message', (value) => {
    const result = uuidSchema.safeParse(value);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.message)).toEqual(['Not a valid id']);
  });
});
