'use client';

import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { keepTabInside } from './keep-tab-inside';

type DialogProps = { title: string; className?: string; children: ReactNode };

/**
 * A modal dialog, the browser's own (`showModal`: the page behind is inert), shown while `open`:
 * Escape or Close shut it and `onClose` hears it; Tab goes round inside it. Where the focus goes
 * back is the opener's to say, since the control that opened it may be gone by then (a menu item).
 */
export function Dialog({ open, onClose, title, className, children }: DialogProps & { open: boolean; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) element.showModal();
    if (!open && element.open) element.close();
  }, [open]);
  return (
    <dialog ref={dialog} className={['modal-dialog', className].filter(Boolean).join(' ')} aria-labelledby={titleId} onClose={onClose} onKeyDown={keepTabInside}>
      <h2 id={titleId}>{title}</h2>
      {children}
      <form method="dialog">
        <button type="submit">Close</button>
      </form>
    </dialog>
  );
}

/** A button that opens a `Dialog`, and gets the focus back when it closes. `onOpenChange` hears it open and close. */
export function ModalDialog({
  label,
  buttonClassName,
  onOpenChange,
  ...dialogProps
}: DialogProps & {
  label: string;
  buttonClassName?: string;
  onOpenChange?: (open: boolean) => void;
}) {
  const [open, setOpen] = useState(false);
  const opener = useRef<HTMLButtonElement>(null);
  const change = (opened: boolean) => {
    setOpen(opened);
    onOpenChange?.(opened);
  };
  return (
    <>
      <button type="button" className={buttonClassName} ref={opener} onClick={() => change(true)}>
        {label}
      </button>
      <Dialog
        {...dialogProps}
        open={open}
        onClose={() => {
          change(false);
          opener.current?.focus();
        }}
      />
    </>
  );
}
