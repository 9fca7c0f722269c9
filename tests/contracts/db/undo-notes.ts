/** After an Undo: the paths it restored, kept with the run until the next run of the conversation takes them, once. */
import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import type { Db } from '@/lib/db/types';
import { contractCalls } from './calls';

export function defineUndoNoteContract(getDb: () => Db) {
  const { open, startRun, finishRun } = contractCalls(getDb);
  const undo = (runId: string, paths: string[]) => getDb().call<boolean>('undo_run_changes', { p_run_id: runId, p_paths: JSON.stringify(paths) });
  const take = (conversationId: string, runId: string) => getDb().call<{ paths: string[]; runs: number }>('take_undone_paths', { p_conversation_id: conversationId, p_run_id: runId });
  const finished = async (conversationId: string) => {
    const run = await startRun(conversationId);
    await finishRun(run.id, 'completed');
    return run;
  };
  const agentStarted = (runId: string) => getDb().call('record_run_progress', { p_id: runId, p_cost_usd: 0, p_input_tokens: 0, p_output_tokens: 0, p_turns: 1, p_worked_ms: 1, p_agent_started: true });

  it('undoes once, and the next run takes every undone run’s paths (sorted, each once), which a later run is not given again', async () => {
    const conversationId = randomUUID();
    await open({ id: conversationId });
    const [first, second] = [await finished(conversationId), await finished(conversationId)];
    expect(await undo(second.id, ['b.txt', 'a.txt'])).toBe(true);
    expect(await undo(second.id, ['c.txt'])).toBe(false);
    expect(await undo(first.id, ['a.txt', 'd/e'])).toBe(true);

    const next = await startRun(conversationId);
    expect(await take(conversationId, next.id)).toEqual({ paths: ['a.txt', 'b.txt', 'd/e'], runs: 2 });
    // Its continuation sends the message again, note and all.
    expect((await take(conversationId, next.id)).paths).toEqual(['a.txt', 'b.txt', 'd/e']);
    await agentStarted(next.id);
    await finishRun(next.id, 'completed');
    const later = await startRun(conversationId);
    expect(await take(conversationId, later.id)).toEqual({ paths: [], runs: 0 });
    await finishRun(later.id, 'completed');
    // Another conversation's undo is not this one's to tell.
    const other = randomUUID();
    await open({ id: other });
    expect(await take(other, randomUUID())).toEqual({ paths: [], runs: 0 });
  });

  it('a note whose run never got to its agent, or was replaced by Retry, is taken again by the next run', async () => {
    const conversationId = randomUUID();
    await open({ id: conversationId });
    const changed = await finished(conversationId);
    await undo(changed.id, ['a.txt']);

    const failed = await startRun(conversationId);
    expect((await take(conversationId, failed.id)).paths).toEqual(['a.txt']);
    await finishRun(failed.id, 'failed'); // its snapshot failed: the agent never had the message
    const told = await startRun(conversationId);
    expect((await take(conversationId, told.id)).paths).toEqual(['a.txt']);
    await agentStarted(told.id);
    await finishRun(told.id, 'completed');

    const retry = await startRun(conversationId);
    expect(await getDb().call('mark_run_replaced', { p_conversation_id: conversationId, p_by: retry.id })).toBe(told.id);
    expect((await take(conversationId, retry.id)).paths).toEqual(['a.txt']);
    await agentStarted(retry.id);
    await finishRun(retry.id, 'completed');
    const after = await startRun(conversationId);
    expect(await take(conversationId, after.id)).toEqual({ paths: [], runs: 0 });
  });

  it('two runs taking at once: only one gets the note', async () => {
    const conversationId = randomUUID();
    await open({ id: conversationId });
    const changed = await finished(conversationId);
    await undo(changed.id, ['x.txt']);
    const results = await Promise.all([take(conversationId, randomUUID()), take(conversationId, randomUUID())]);
    expect(results.filter(({ runs }) => runs > 0)).toEqual([{ paths: ['x.txt'], runs: 1 }]);
  });
}
