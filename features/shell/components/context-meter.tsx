'use client';

import { useState } from 'react';

/** How full the context window was after a run: a small meter; its numbers on hover, or on a tap. */
export function ContextMeter({ tokens, window }: { tokens: number; window: number }) {
  const [open, setOpen] = useState(false);
  const percent = Math.min(100, Math.round((tokens / window) * 100));
  const numbers = `${tokens.toLocaleString('en')} of ${window.toLocaleString('en')} tokens`;
  return (
    <button type="button" className="context-meter link-button" data-testid="context-meter" title={`Context: ${numbers}`} aria-expanded={open} onClick={() => setOpen(!open)}>
      <meter min={0} max={window} value={tokens} aria-hidden />
      {` ${percent}% context`}
      {open && ` · ${numbers}`}
    </button>
  );
}
