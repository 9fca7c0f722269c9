'use client';

import { useId, useRef, type ReactNode } from 'react';
import { keepTabInside } from './keep-tab-inside';

/**
 * A button that opens a modal dialog, the browser's own (`showModal`: the page behind is inert):
 * Escape or Close shut it, Tab goes round inside it, and the focus goes back to the button.
 * `onOpenChange` hears it open and close.
 */
export function ModalDialog({
  label,
  title,
  buttonClassName,
  className,
  onOpenChange,
  children,
}: {
  label: string;
  title: string;
  buttonClassName?: string;
  className?: string;
  onOpenChange?: (open: boolean) => void;
  children: ReactNode;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const opener = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  return (
    <>
      <button
        type="button"
        className={buttonClassName}
        ref={opener}
        onClick={() => {
          onOpenChange?.(true);
          dialog.current?.showModal();
        }}
      >
        {label}
      </button>
      <dialog
        ref={dialog}
        className={['modal-dialog', className].filter(Boolean).join(' ')}
        aria-labelledby={titleId}
        onClose={() => {
          onOpenChange?.(false);
          opener.current?.focus();
        }}
        onKeyDown={keepTabInside}
      >
        <h2 id={titleId}>{title}</h2>
        {children}
        <form method="dialog">
          <button type="submit">Close</button>
        </form>
      </dialog>
    </>
  );
}
