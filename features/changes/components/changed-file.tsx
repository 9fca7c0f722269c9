'use client';

import type { FileChange } from '../types';
import { DiffView } from '@/lib/ui/diff-view';

const KIND_LABELS: Record<FileChange['kind'], string> = { added: 'added', modified: 'modified', deleted: 'deleted', renamed: 'renamed' };

/** One changed file: what happened to it, `+added −removed` (or why no diff shows) and its diff, folded. */
export function ChangedFile({ file }: { file: FileChange }) {
  return (
    <details>
      <summary>
        <span className="changes-kind">{KIND_LABELS[file.kind]}</span> <code>{file.path}</code>
        {file.oldPath !== null && (
          <>
            {' '}
            <span className="muted">
              from <code>{file.oldPath}</code>
            </span>
          </>
        )}{' '}
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
          <span className="muted">{aboutUnshown(file)}</span>
        )}
        {file.mode && (
          <>
            {' '}
            <span className="muted">
              mode {file.mode.before} → {file.mode.after}
            </span>
          </>
        )}
      </summary>
      {file.patch && <DiffView patch={file.patch} label={`Changes to ${file.path}`} />}
    </details>
  );
}

/** Why a file shows no diff: binary (with its size), not kept, or too large to show. */
function aboutUnshown(file: FileChange): string {
  const size = file.size === null ? '' : `, ${formatBytes(file.size)}`;
  if (!file.restorable) return `not kept${size}`;
  if (file.binary) return `binary${size}`;
  return 'too large to show';
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
