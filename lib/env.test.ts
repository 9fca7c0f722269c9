import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseServerEnv } from './env';

function problemsIn(source: Record<string, string | undefined>): string {
  try {
    parseServerEnv(source);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the env to be rejected');
}

describe('parseServerEnv', () => {
  it('works with an empty environment', () => {
    const env = parseServerEnv({});
    expect(env).toMatchObject({
      NODE_ENV: 'development',
      TETHER_BASE_DOMAIN: 'localhost',
      TETHER_CONVERSATION_TTL_HOURS: 24,
      LOG_LEVEL: 'info',
      TETHER_MODELS: ['claude-sonnet-4-5', 'claude-opus-4-1', 'claude-haiku-4-5'],
    });
    expect(env.SESSION_SECRET).toBeUndefined();
    expect(env.ANTHROPIC_API_KEY).toBeUndefined();
    expect(env.dataDir).toBe(path.resolve('.data'));
  });

  it('resolves TETHER_DATA_DIR to an absolute dataDir', () => {
    expect(parseServerEnv({ TETHER_DATA_DIR: 'var/tether' }).dataDir).toBe(path.resolve('var/tether'));
    expect(parseServerEnv({ TETHER_DATA_DIR: '/srv/tether/../data' }).dataDir).toBe('/srv/data');
  });

  it('parses TETHER_MODELS as a trimmed comma list', () => {
    expect(parseServerEnv({ TETHER_MODELS: ' a , b,,c ' }).TETHER_MODELS).toEqual(['a', 'b', 'c']);
    expect(problemsIn({ TETHER_MODELS: ' , ' })).toMatch(/TETHER_MODELS/);
  });

  it('treats a blank API key as unset and coerces numbers', () => {
    const env = parseServerEnv({ ANTHROPIC_API_KEY: '  ', TETHER_CONVERSATION_TTL_HOURS: '2', TETHER_AGENT_MAX_RETRIES: '0' });
    expect(env.ANTHROPIC_API_KEY).toBeUndefined();
    expect(env.TETHER_CONVERSATION_TTL_HOURS).toBe(2);
    expect(env.TETHER_AGENT_MAX_RETRIES).toBe(0);
  });

  it.each([
    [{ SESSION_SECRET: 'too-short' }, /SESSION_SECRET: at least 32 characters/],
    [{ SUPABASE_URL: 'https://x.supabase.co' }, /SUPABASE_SERVICE_ROLE_KEY: SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY must be set together/],
    [{ SUPABASE_SERVICE_ROLE_KEY: 'key' }, /SUPABASE_SERVICE_ROLE_KEY/],
    [{ ANTHROPIC_BASE_URL: 'not a url' }, /ANTHROPIC_BASE_URL/],
    [{ TETHER_BASE_DOMAIN: 'example.com/path' }, /TETHER_BASE_DOMAIN: a host name/],
    [{ TETHER_BASE_DOMAIN: 'localhost:3000' }, /TETHER_BASE_DOMAIN/],
    [{ TETHER_CONVERSATION_TTL_HOURS: '-1' }, /TETHER_CONVERSATION_TTL_HOURS/],
    [{ SESSION_TTL_HOURS: '-1' }, /SESSION_TTL_HOURS/],
    [{ TETHER_AGENT_MAX_RETRIES: '11' }, /TETHER_AGENT_MAX_RETRIES/],
    [{ LOG_LEVEL: 'verbose' }, /LOG_LEVEL/],
  ])('rejects %j naming the variable', (source, message) => {
    const problems = problemsIn(source);
    expect(problems).toMatch(/^Invalid environment configuration:/);
    expect(problems).toMatch(message);
  });

  it('defaults the daily budgets to $2 per visitor and $20 per workspace; 0 (off) is allowed, a negative amount is not', () => {
    expect(parseServerEnv({})).toMatchObject({ TETHER_BUDGET_USD_PER_VISITOR_PER_DAY: 2, TETHER_BUDGET_USD_PER_WORKSPACE_PER_DAY: 20 });
    expect(parseServerEnv({ TETHER_BUDGET_USD_PER_VISITOR_PER_DAY: '0', TETHER_BUDGET_USD_PER_WORKSPACE_PER_DAY: '7.5' })).toMatchObject({
      TETHER_BUDGET_USD_PER_VISITOR_PER_DAY: 0,
      TETHER_BUDGET_USD_PER_WORKSPACE_PER_DAY: 7.5,
    });
    expect(problemsIn({ TETHER_BUDGET_USD_PER_VISITOR_PER_DAY: '-1' })).toMatch(/TETHER_BUDGET_USD_PER_VISITOR_PER_DAY/);
    expect(problemsIn({ TETHER_BUDGET_USD_PER_WORKSPACE_PER_DAY: 'lots' })).toMatch(/TETHER_BUDGET_USD_PER_WORKSPACE_PER_DAY/);
  });

  it('defaults attachments to 5 per message, 5 MiB each and 20 MiB together; one file may not exceed a message', () => {
    expect(parseServerEnv({})).toMatchObject({ TETHER_ATTACHMENTS_PER_MESSAGE: 5, TETHER_ATTACHMENT_MAX_MB: 5, TETHER_ATTACHMENTS_MAX_MB_PER_MESSAGE: 20 });
    expect(parseServerEnv({ TETHER_ATTACHMENT_MAX_MB: '0.5', TETHER_ATTACHMENTS_MAX_MB_PER_MESSAGE: '0.5' })).toMatchObject({ TETHER_ATTACHMENT_MAX_MB: 0.5 });
    expect(problemsIn({ TETHER_ATTACHMENT_MAX_MB: '21' })).toMatch(/TETHER_ATTACHMENT_MAX_MB: .*not be more than TETHER_ATTACHMENTS_MAX_MB_PER_MESSAGE/);
    expect(problemsIn({ TETHER_ATTACHMENTS_MAX_MB_PER_MESSAGE: '25' })).toMatch(/TETHER_ATTACHMENTS_MAX_MB_PER_MESSAGE/);
    expect(problemsIn({ TETHER_ATTACHMENTS_PER_MESSAGE: '0' })).toMatch(/TETHER_ATTACHMENTS_PER_MESSAGE/);
  });

  it('allows each visitor 100 MiB of attachments a day by default; 0 turns it off, and one file must fit in a day', () => {
    expect(parseServerEnv({})).toMatchObject({ TETHER_ATTACHMENT_MB_PER_VISITOR_PER_DAY: 100 });
    expect(parseServerEnv({ TETHER_ATTACHMENT_MB_PER_VISITOR_PER_DAY: '0' })).toMatchObject({ TETHER_ATTACHMENT_MB_PER_VISITOR_PER_DAY: 0 });
    expect(problemsIn({ TETHER_ATTACHMENT_MB_PER_VISITOR_PER_DAY: '4' })).toMatch(/TETHER_ATTACHMENT_MB_PER_VISITOR_PER_DAY: .*at least TETHER_ATTACHMENT_MAX_MB/);
    expect(problemsIn({ TETHER_ATTACHMENT_MB_PER_VISITOR_PER_DAY: 'plenty' })).toMatch(/TETHER_ATTACHMENT_MB_PER_VISITOR_PER_DAY/);
  });

  it('reads the conversation TTL under its old name SESSION_TTL_HOURS when the new one is unset, and says so', () => {
    expect(parseServerEnv({}).deprecations).toEqual([]);
    const legacy = parseServerEnv({ SESSION_TTL_HOURS: '6' });
    expect(legacy.TETHER_CONVERSATION_TTL_HOURS).toBe(6);
    expect(legacy).not.toHaveProperty('SESSION_TTL_HOURS');
    expect(legacy.deprecations).toEqual([expect.stringMatching(/SESSION_TTL_HOURS is deprecated: rename it TETHER_CONVERSATION_TTL_HOURS/)]);
    const both = parseServerEnv({ SESSION_TTL_HOURS: '6', TETHER_CONVERSATION_TTL_HOURS: '48' });
    expect(both.TETHER_CONVERSATION_TTL_HOURS).toBe(48);
    expect(both.deprecations).toEqual([expect.stringMatching(/SESSION_TTL_HOURS is ignored/)]);
  });

  it('accepts Supabase when both variables are set', () => {
    const env = parseServerEnv({ SUPABASE_URL: 'https://x.supabase.co', SUPABASE_SERVICE_ROLE_KEY: 'key' });
    expect(env.SUPABASE_URL).toBe('https://x.supabase.co');
  });

  it('lists every problem at once', () => {
    const problems = problemsIn({ SESSION_SECRET: 'short', LOG_LEVEL: 'loud' });
    expect(problems).toMatch(/SESSION_SECRET/);
    expect(problems).toMatch(/LOG_LEVEL/);
  });

  describe('VAPID and push settings', () => {
    const vapid = {
      VAPID_PUBLIC_KEY: Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 7)]).toString('base64url'),
      VAPID_PRIVATE_KEY: Buffer.alloc(32, 9).toString('base64url'),
      VAPID_SUBJECT: 'mailto:ops@example.com',
    };

    it('accepts all three, or none', () => {
      expect(parseServerEnv(vapid)).toMatchObject(vapid);
      expect(parseServerEnv({ ...vapid, VAPID_SUBJECT: 'https://example.com/contact' }).VAPID_SUBJECT).toBe('https://example.com/contact');
      expect(parseServerEnv({}).VAPID_PUBLIC_KEY).toBeUndefined();
    });

    it.each([
      [{ ...vapid, VAPID_SUBJECT: 'mailto:me@localhost' }, /VAPID_SUBJECT: must not be localhost/],
      [{ ...vapid, VAPID_SUBJECT: 'https://localhost:3000' }, /VAPID_SUBJECT: must not be localhost/],
      [{ ...vapid, VAPID_SUBJECT: 'https://127.0.0.1' }, /VAPID_SUBJECT: must not be localhost/],
      [{ ...vapid, VAPID_SUBJECT: 'http://example.com' }, /VAPID_SUBJECT: must start with mailto: or https:/],
      [{ ...vapid, VAPID_SUBJECT: 'ops@example.com' }, /VAPID_SUBJECT/],
      [{ ...vapid, VAPID_PUBLIC_KEY: 'abc' }, /VAPID_PUBLIC_KEY: 65 bytes/],
      [{ ...vapid, VAPID_PRIVATE_KEY: Buffer.alloc(31).toString('base64url') }, /VAPID_PRIVATE_KEY: 32 bytes/],
      [{ VAPID_PUBLIC_KEY: vapid.VAPID_PUBLIC_KEY }, /VAPID_SUBJECT: VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY and VAPID_SUBJECT must be set together/],
      [{ PUSH_ALLOWED_HOSTS: 'https://push.example.com' }, /PUSH_ALLOWED_HOSTS/],
      [{ PUSH_ALLOWED_HOSTS: '127.0.0.1:8443' }, /PUSH_ALLOWED_HOSTS/],
    ])('rejects %j naming the variable', (source, message) => {
      expect(problemsIn(source)).toMatch(message);
    });

    it('parses PUSH_ALLOWED_HOSTS as a list of hosts', () => {
      expect(parseServerEnv({ PUSH_ALLOWED_HOSTS: ' 127.0.0.1, *.Push.Example.com ' }).PUSH_ALLOWED_HOSTS).toEqual(['127.0.0.1', '*.push.example.com']);
      expect(parseServerEnv({}).PUSH_ALLOWED_HOSTS).toEqual([]);
    });
  });
});
