'use client';

import { useEffect, useId, useRef, useState, type AnchorHTMLAttributes, type KeyboardEvent, type ReactNode, type RefObject } from 'react';

const ITEM = '[role="menuitem"]';

/**
 * A button that opens a menu of actions (the WAI-ARIA menu button). Opening moves the focus to
 * the first item (↑ on the button: the last); ↓ ↑ Home End and Tab move between the items.
 * Choosing one, or Escape, closes the menu and gives the focus back to the button, so a dialog
 * the item opened has somewhere to return it; a click elsewhere or the focus leaving closes it.
 */
export function MenuButton({ label, buttonRef, children }: { label: string; buttonRef: RefObject<HTMLButtonElement | null>; children: ReactNode }) {
  const [open, setOpen] = useState(false);
  const [focusOnOpen, setFocusOnOpen] = useState<'first' | 'last'>('first');
  const anchor = useRef<HTMLDivElement>(null);
  const menu = useRef<HTMLDivElement>(null);
  const buttonId = useId();
  const menuId = useId();
  const items = () => [...(menu.current?.querySelectorAll<HTMLElement>(ITEM) ?? [])];

  useEffect(() => {
    if (!open) return;
    (focusOnOpen === 'first' ? items()[0] : items().at(-1))?.focus();
    const closeOnOutsideClick = (event: PointerEvent) => {
      if (!anchor.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', closeOnOutsideClick);
    return () => document.removeEventListener('pointerdown', closeOnOutsideClick);
  }, [open, focusOnOpen]);

  const openAt = (where: 'first' | 'last') => {
    setFocusOnOpen(where);
    setOpen(true);
  };
  const closeToButton = () => {
    setOpen(false);
    buttonRef.current?.focus();
  };
  const onMenuKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const all = items();
    const current = all.indexOf(document.activeElement as HTMLElement);
    const next = { ArrowDown: current + 1, ArrowUp: current - 1, Home: 0, End: all.length - 1 }[event.key];
    if (event.key === 'Escape') {
      event.stopPropagation();
      closeToButton();
    } else if (next !== undefined) {
      event.preventDefault();
      all.at(next % all.length)?.focus(); // round from the last to the first and back
    }
  };

  return (
    <div
      className="menu-anchor"
      ref={anchor}
      onBlur={(event) => {
        // Tab leaving the menu. A blur to nowhere is left to the outside click: Safari blurs on
        // pressing a button, and closing then would swallow the click on the item.
        if (open && event.relatedTarget && !anchor.current?.contains(event.relatedTarget)) setOpen(false);
      }}
    >
      <button
        type="button"
        className="menu-button"
        id={buttonId}
        ref={buttonRef}
        aria-label={label}
        title={label}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={menuId}
        onClick={() => (open ? setOpen(false) : openAt('first'))}
        onKeyDown={(event) => {
          if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
          event.preventDefault();
          openAt(event.key === 'ArrowDown' ? 'first' : 'last');
        }}
      >
        <span aria-hidden="true">⋯</span>
      </button>
      <div
        className="menu"
        role="menu"
        id={menuId}
        ref={menu}
        aria-labelledby={buttonId}
        hidden={!open}
        onKeyDown={onMenuKeyDown}
        onClick={(event) => {
          if ((event.target as Element).closest(ITEM)) closeToButton();
        }}
      >
        {children}
      </div>
    </div>
  );
}

/** An item of a `MenuButton` that does something. */
export function MenuItem({ onSelect, className, children }: { onSelect: () => void; className?: string; children: ReactNode }) {
  return (
    <button type="button" role="menuitem" className={className} onClick={onSelect}>
      {children}
    </button>
  );
}

/** An item of a `MenuButton` that is a link (a download, say). */
export function MenuLink(props: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  return <a role="menuitem" {...props} />;
}

/** A line between groups of items. */
export function MenuSeparator() {
  return <div role="separator" className="menu-separator" />;
}
