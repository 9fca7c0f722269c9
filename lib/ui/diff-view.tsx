'use client';

import { lazy, Suspense } from 'react';

/** The diff renderer is a chunk of its own, loaded with the first diff a page shows. */
const DiffLines = lazy(() => import('./diff-lines'));

/** A unified diff, marked up once its renderer is in (plain text until then). */
export function DiffView({ patch, label }: { patch: string; label: string }) {
  return (
    <Suspense
      fallback={
        <pre className="approval-detail diff" aria-label={label} tabIndex={0}>
          {patch}
        </pre>
      }
    >
      <DiffLines patch={patch} label={label} />
    </Suspense>
  );
}
