/** One process per PGlite folder: the lock beside it, taken over from a process that is gone, refused while its holder lives. */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockPgliteDir, PgliteInUseError } from './pglite-lock';

const folder = () => path.join(mkdtempSync(path.join(tmpdir(), 'tether-pglite-lock-')), 'db');

describe('the PGlite folder lock', () => {
  it('records this process, lets it open the folder again, and goes at release', () => {
    const dir = folder();
    const release = lockPgliteDir(dir);
    expect(readFileSync(`${dir}.lock`, 'utf8')).toBe(`${process.pid}\n`);
    expect(() => lockPgliteDir(dir)).not.toThrow();
    release();
    expect(existsSync(`${dir}.lock`)).toBe(false);
  });

  it('takes over the lock of a process that is gone (a crash)', async () => {
    const dir = folder();
    const gone = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => gone.once('exit', resolve));
    writeFileSync(`${dir}.lock`, `${gone.pid}\n`);
    lockPgliteDir(dir);
    expect(readFileSync(`${dir}.lock`, 'utf8')).toBe(`${process.pid}\n`);
  });

  it('refuses while another live process holds it, naming the process and the way out, and leaves its lock alone', async () => {
    const dir = folder();
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      writeFileSync(`${dir}.lock`, `${holder.pid}\n`);
      expect(() => lockPgliteDir(dir)).toThrow(PgliteInUseError);
      expect(() => lockPgliteDir(dir)).toThrow(`The embedded database in ${dir} is in use by process ${holder.pid}`);
      expect(readFileSync(`${dir}.lock`, 'utf8')).toBe(`${holder.pid}\n`);
    } finally {
      holder.kill('SIGKILL');
    }
  });
});
