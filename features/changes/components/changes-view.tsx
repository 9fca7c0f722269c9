'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { ChangesItem } from '../types';
import { undoRunChanges } from '../api/changes-api';
import { ChangedFile } from './changed-file';

type Changes = ChangesItem;

/**
 * The files a run changed, each with what happened to it (added, modified, deleted, renamed),
 * `+added −removed` and its diff (folded, so a phone shows them inline one at a time), and "Undo
 * these changes". `busy`: a run is in progress, which Undo must wait for.
 */
export function ChangesView({ changes, busy, readOnly }: { changes: Changes; busy: boolean; readOnly: boolean }) {
  const queryClient = useQueryClient();
  const [undoing, setUndoing] = useState(false);
  const [undoneHere, setUndoneHere] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const undone = undoneHere || changes.undoneAt !== null;
  const restorable = changes.files.every((file) => file.restorable);

  async function undo() {
    setUndoing(true);
    setError(null);
    try {
      await undoRunChanges(changes.runId);
      setUndoneHere(true);
      void queryClient.invalidateQueries({ queryKey: ['files'] });
    } catch (thrown) {
      setError(thrown instanceof Error ? thrown.message : String(thrown));
    } finally {
      setUndoing(false);
    }
  }

  const count = changes.files.length;
  return (
    <section className="changes" aria-label="Changes" data-testid="changes" data-state={undone ? 'undone' : 'applied'}>
      <p className="changes-title">
        Changed {count} {count === 1 ? 'file' : 'files'}
      </p>
      <ul className="changes-files">
        {changes.files.map((file) => (
          <li key={file.path} data-kind={file.kind}>
            <ChangedFile file={file} />
          </li>
        ))}
      </ul>
      {readOnly ? (
        undone && (
          <p className="changes-outcome" role="status">
            Undone.
          </p>
        )
      ) : undone ? (
        <p className="changes-outcome" role="status">
          Undone: {count === 1 ? 'the file is back as it was' : 'these files are back as they were'} before this run.
        </p>
      ) : restorable ? (
        <div className="changes-actions">
          <button type="button" disabled={undoing || busy} onClick={() => void undo()} title={busy ? 'Wait for the run in progress to end.' : undefined}>
            {undoing ? 'Undoing…' : 'Undo these changes'}
          </button>
          {error && (
            <p className="notice notice-error" role="alert">
              {error}
            </p>
          )}
        </div>
      ) : (
        <p className="muted">A file was not kept in the snapshots (too large, or a git repository of its own), so these changes can&apos;t be undone here.</p>
      )}
    </section>
  );
}
