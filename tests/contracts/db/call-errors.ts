/** How a transport fails: a DbError naming the function, and no unsafe names. */
import { expect, it } from 'vitest';
import { DbError } from '@/lib/db/errors';
import type { Db } from '@/lib/db/types';

export function defineCallErrorContract(getDb: () => Db) {
  it('a bad argument raises a DbError naming the function', async () => {
    const error = await getDb()
      .call('get_conversation', { p_id: 'not-a-uuid', p_visitor_id: 'v', p_workspace: 'w' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DbError);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ fn: 'get_conversation', code: '22P02' });
    expect((error as Error).message).toMatch(/get_conversation/);
  });

  it('refuses function and argument names that are not plain identifiers', async () => {
    await expect(getDb().call('purge_expired(); drop schema tether; --')).rejects.toBeInstanceOf(DbError);
    await expect(getDb().call('list_runs', { 'p_x) --': 1 })).rejects.toBeInstanceOf(DbError);
  });
}
