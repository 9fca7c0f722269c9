/**
 * The server's start without a working agent sandbox, as an operator would meet it: a real
 * process running the same start-up as `next start` (instrumentation → startServer).
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { unmountUnder } from '@/lib/mounts';

const dir = mkdtempSync(path.join(tmpdir(), 'tether-start-'));
const refusingBwrap = path.join(dir, 'bwrap-refused');
writeFileSync(refusingBwrap, '#!/bin/sh\necho "bwrap: No permissions to create new namespace" >&2\nexit 1\n');
chmodSync(refusingBwrap, 0o755);
// The started servers made their demo workspaces' disk images in their own processes.
afterAll(() => void unmountUnder(dir));

/** Starts the server with `env`; resolves when it exits or once it says it started (then stops it). */
function startServer(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=react-server', '-e', "import('./server-start.ts').then((m) => m.startServer())"], {
    env: { ...process.env, TETHER_DATA_DIR: mkdtempSync(path.join(dir, 'data-')), LOG_LEVEL: 'info', ANTHROPIC_API_KEY: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve) => {
    const collect = (chunk: Buffer) => {
      output += chunk;
      if (output.includes('"tether started"')) child.kill('SIGTERM');
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('starting without the agent sandbox', () => {
  it.each([
    ['bubblewrap is missing', '/nonexistent/bwrap', 'bubblewrap is not installed'],
    ['the kernel refuses its namespaces', refusingBwrap, 'the kernel may refuse unprivileged user namespaces'],
  ])('refuses to start on a public base domain when %s', async (_why, bwrap, reason) => {
    const { code, output } = await startServer({ TETHER_BASE_DOMAIN: 'example.com', TETHER_BWRAP_PATH: bwrap });
    expect(code).toBe(1);
    expect(output).toContain('Tether could not start: The agent sandbox is not available');
    expect(output).toContain(reason);
    expect(output).toContain('TETHER_ALLOW_UNSANDBOXED');
    expect(output).not.toContain('"tether started"');
  });

  it('starts on a public base domain only with the explicit override, and warns loudly', async () => {
    const { output } = await startServer({ TETHER_BASE_DOMAIN: 'example.com', TETHER_BWRAP_PATH: '/nonexistent/bwrap', TETHER_ALLOW_UNSANDBOXED: 'true' });
    expect(output).toMatch(/"level":"warn".*TETHER_ALLOW_UNSANDBOXED is set: agents of anonymous visitors run UNSANDBOXED/);
    expect(output).toMatch(/"tether started".*"agentSandbox":"off \(bubblewrap is not installed/);
  });

  it('starts unsandboxed on localhost (the quick start), with a warning', async () => {
    const { output } = await startServer({ TETHER_BASE_DOMAIN: 'localhost', TETHER_BWRAP_PATH: '/nonexistent/bwrap' });
    expect(output).toMatch(/"level":"warn".*Agents run UNSANDBOXED \(local development only\)/);
    expect(output).toContain('"tether started"');
  });

  it('starts sandboxed where the sandbox works', async () => {
    const { output } = await startServer({ TETHER_BASE_DOMAIN: 'example.com' });
    expect(output).toMatch(/"tether started".*"agentSandbox":"bubblewrap"/);
  });
});
