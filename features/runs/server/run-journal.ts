import 'server-only';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { serverEnv } from '@/lib/env';
import { logger } from '@/lib/logger';
import { redis } from '@/lib/redis';
import type { RunEvent } from '../types';
import { runStreamEvents } from './live-events';
import type { Run } from './run';
import { localRun } from './run-registry';

/**
 * A running run's events where they outlive its process, so a continuation of the run (after a
 * crash, or a drain's deadline) numbers on and viewers see the whole run: with Redis that is the
 * run's stream (live-events.ts), which any instance reads; without it, a file in the data folder,
 * which the same instance reads when it starts again. Dropped once the run's end is recorded.
 */

const journalDir = () => path.join(serverEnv().dataDir, 'run-events');
const journalFile = (runId: string) => path.join(journalDir(), `${runId}.jsonl`);

/**
 * Without Redis: every event of `run` (a continuation's earlier ones too: the file is written
 * afresh) to its file, synchronously and before any viewer has it: a viewer never saw an event
 * the journal lacks, so a continuation numbered on from the journal repeats none and skips none.
 */
export function journalRunEvents(run: Run): void {
  if (redis()) return; // the stream is the journal
  mkdirSync(journalDir(), { recursive: true });
  let file: number | null = openSync(journalFile(run.id), 'w');
  run.addRecorder(0, (event) => {
    if (file === null) return;
    try {
      writeSync(file, `${JSON.stringify(event)}\n`);
    } catch (error) {
      logger.warn('journaling run events failed', { runId: run.id, error });
    }
    // Kept until the run's end is recorded (finish drops it): a restart before that records the end from here.
    if (event.type === 'end') {
      closeSync(file);
      file = null;
    }
  });
}

/** The run's journaled events, numbered 1… without a gap (what follows a gap, or a line a crash cut, is left out). */
export async function journaledEvents(runId: string): Promise<RunEvent[]> {
  const events = redis() ? await runStreamEvents(runId) : fileEvents(runId);
  const unbroken: RunEvent[] = [];
  for (const event of events) {
    if (event.seq !== unbroken.length + 1) break;
    unbroken.push(event);
  }
  return unbroken;
}

export function dropJournal(runId: string): void {
  if (!redis()) rmSync(journalFile(runId), { force: true });
}

/** At start, once this instance took on its own runs: the journals of runs not running here are left over. */
export function sweepRunJournals(): void {
  if (redis()) return;
  let names: string[];
  try {
    names = readdirSync(journalDir());
  } catch {
    return;
  }
  for (const name of names) if (!localRun(path.basename(name, '.jsonl'))) rmSync(path.join(journalDir(), name), { force: true });
}

function fileEvents(runId: string): RunEvent[] {
  let text: string;
  try {
    text = readFileSync(journalFile(runId), 'utf8');
  } catch {
    return [];
  }
  const events: RunEvent[] = [];
  for (const line of text.split('\n')) {
    try {
      events.push(JSON.parse(line) as RunEvent);
    } catch {
      break; // the line a crash cut short (or the end)
    }
  }
  return events;
}
