'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { ChangesItem } from '../types';
import { undoRunChanges } from '../api/changes-api';
import { DiffView } from '@/lib/ui/diff-view';

type Changes = ChangesItem;

/**
 * The files a run changed, each with `+added −removed` and its diff (folded, so a phone shows
 * them inline one at a time), and "Undo these changes". `busy`: a run is in progress, which
 * Undo must wait for.
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
          <li key={file.path}>
            <details>
              <summary>
                <code>{file.path}</code>{' '}
                {file.added !== null ? (
                  <span className="changes-counts">
                    <span className="changes-added" aria-label={`${file.added} added`}>
                      +{file.added}
                    </span>{' '}
                    <span className="changes-removed" aria-label={`${file.removed} removed`}>
                      −{file.removed}
                    </span>
                  </span>
                ) : (
                  <span className="muted">binary or too large to show</span>
                )}
              </summary>
              {file.patch && <DiffView patch={file.patch} label={`Changes to ${file.path}`} />}
            </details>
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
        <p className="muted">A binary or very large file changed, so these changes can't be undone here.</p>
      )}
    </section>
  );
}
