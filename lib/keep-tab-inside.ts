import type { KeyboardEvent } from 'react';

/** Phone widths, where the sidebar and the Files panel are sheets over the chat (as in globals.css). */
const SHEET_MEDIA = '(max-width: 720px)';
const FOCUSABLE = 'button:not([disabled]), [href], input:not([disabled]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';

/**
 * A modal's keydown handler: Tab and Shift+Tab go round inside it, instead of wandering behind it
 * (or, from a browser's own modal dialog, out to the address bar).
 */
export function keepTabInside(event: KeyboardEvent<HTMLElement>): void {
  if (event.key !== 'Tab') return;
  const focusable = [...event.currentTarget.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((element) => element.getClientRects().length > 0);
  const first = focusable[0];
  const last = focusable.at(-1);
  if (!first || !last) return;
  if (event.shiftKey && document.activeElement === first) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && document.activeElement === last) {
    event.preventDefault();
    first.focus();
  }
}

/** The same for a panel that is a sheet covering the page on a phone, and a side panel otherwise. */
export function keepTabInsideSheet(event: KeyboardEvent<HTMLElement>): void {
  if (window.matchMedia(SHEET_MEDIA).matches) keepTabInside(event);
}
