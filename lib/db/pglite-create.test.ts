import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb } from './index';
import { pgliteStartParams } from './pglite';

let dir: string;
beforeEach(async () => void (dir = await mkdtemp(path.join(tmpdir(), 'tether-pglite-'))));
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('a new embedded database', () => {
  it('is made outside the server process and moved in whole, over what a start cut short left behind', async () => {
    const dataDir = path.join(dir, 'db');
    await mkdir(dataDir); // empty, as a first start's mkdir leaves it
    await mkdir(`${dataDir}.creating/base`, { recursive: true }); // a half-made one
    const db = await openDb({ kind: 'pglite', dataDir });
    try {
      expect(await db.call('purge_expired', {})).toBe(0);
      expect(existsSync(path.join(dataDir, 'PG_VERSION'))).toBe(true);
      expect(existsSync(`${dataDir}.creating`)).toBe(false);
    } finally {
      await db.close();
    }
  });

  it('is not made over a folder that holds other files', async () => {
    const dataDir = path.join(dir, 'db');
    await mkdir(dataDir);
    await writeFile(path.join(dataDir, 'notes.txt'), 'mine');
    await expect(openDb({ kind: 'pglite', dataDir })).rejects.toThrow(`${dataDir} holds files but no database`);
    expect(existsSync(path.join(dataDir, 'notes.txt'))).toBe(true);
  });
});

describe('pgliteStartParams', () => {
  it("sets PostgreSQL's buffer pool and maintenance memory, which PGlite's never-shrinking memory would otherwise keep", async () => {
    const pg = await PGlite.create({ startParams: pgliteStartParams(4) });
    try {
      const show = async (name: string) => ((await pg.query<Record<string, string>>(`show ${name}`)).rows[0] ?? {})[name];
      expect(await show('shared_buffers')).toBe('4MB');
      expect(await show('maintenance_work_mem')).toBe('16MB');
    } finally {
      await pg.close();
    }
  });
});
