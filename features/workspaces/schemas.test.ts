import { describe, expect, it } from 'vitest';
import { workspaceFromHost, workspaceNameSchema } from './schemas';

describe('workspaceFromHost', () => {
  it('reads the workspace from a localhost subdomain, ignoring the port', () => {
    expect(workspaceFromHost('demo.localhost:3000', 'localhost')).toBe('demo');
    expect(workspaceFromHost('demo.localhost', 'localhost')).toBe('demo');
  });

  it('reads the workspace from a subdomain of the base domain', () => {
    expect(workspaceFromHost('demo.example.com', 'example.com')).toBe('demo');
    expect(workspaceFromHost('team-7.example.com:443', 'example.com')).toBe('team-7');
  });

  it('lowercases the host and the base domain', () => {
    expect(workspaceFromHost('DEMO.Example.COM', 'example.com')).toBe('demo');
    expect(workspaceFromHost('demo.example.com', 'EXAMPLE.com')).toBe('demo');
  });

  it.each([
    ['the bare domain', 'example.com'],
    ['the bare domain with a port', 'example.com:3000'],
    ['a deeper subdomain', 'a.b.example.com'],
    ['another domain', 'demo.example.org'],
    ['a domain that only ends like the base', 'demoexample.com'],
    ['a leading hyphen', '-x.example.com'],
    ['a trailing hyphen', 'x-.example.com'],
    ['an underscore', 'my_ws.example.com'],
    ['an empty label', '.example.com'],
    ['a 64-character label', `${'a'.repeat(64)}.example.com`],
  ])('returns null for %s', (_, host) => {
    expect(workspaceFromHost(host, 'example.com')).toBeNull();
  });

  it('accepts a 63-character label', () => {
    expect(workspaceFromHost(`${'a'.repeat(63)}.example.com`, 'example.com')).toBe('a'.repeat(63));
  });

  it('returns null without a host', () => {
    expect(workspaceFromHost(null, 'example.com')).toBeNull();
    expect(workspaceFromHost('', 'example.com')).toBeNull();
  });
});

describe('workspaceNameSchema', () => {
  it.each(['demo', 'a', '7', 'team-7', 'a-b-c', 'x'.repeat(63)])('accepts %s', (name) => {
    expect(workspaceNameSchema.safeParse(name).success).toBe(true);
  });

  it.each(['', 'Demo', '-x', 'x-', 'a.b', 'a_b', 'a b', 'x'.repeat(64), '../etc'])('rejects %j', (name) => {
    expect(workspaceNameSchema.safeParse(name).success).toBe(false);
  });
});
