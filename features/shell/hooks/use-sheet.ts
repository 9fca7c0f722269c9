'use client';

import { useCallback, useRef, useState } from 'react';

/** A panel its button opens and closes (Recent, Files): closing it gives the focus back to that button. */
export function useSheet() {
  const [open, setOpen] = useState(false);
  const toggle = useRef<HTMLButtonElement>(null);
  const close = useCallback(() => {
    setOpen(false);
    toggle.current?.focus();
  }, []);
  return { open, setOpen, toggle, close };
}
