'use client';

import { CopyButton } from '@/lib/ui/copy-button';

/** A link to hand on: in a read-only field (selected on focus), with Copy. */
export function LinkField({ label, url }: { label: string; url: string }) {
  return (
    <div className="handoff-link">
      <label>
        {label}
        <input type="text" readOnly value={url} onFocus={(event) => event.target.select()} />
      </label>
      <CopyButton text={url} label={`Copy ${label.toLowerCase()}`} />
    </div>
  );
}
