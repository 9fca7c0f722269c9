'use client';

import { useQuery } from '@tanstack/react-query';
import { useState, type KeyboardEvent } from 'react';
import type { AgentCommand } from '@/features/runs';
import { fetchCommands } from '../api/chat-api';

/** While the message is a `/` and the start of a name: the commands it may become. */
const TYPING_A_COMMAND = /^\/[\w:-]*$/;
const LIST_ID = 'command-list';

/**
 * The `/` list of the message box: while the visitor types a command's name, the commands that
 * start so, to pick with the arrows and Enter (or Tab, or a tap). The message box stays the one
 * focus: `inputProps` go on it, and `onKeyDown` says whether the list took the key.
 */
export function useCommandList(text: string, choose: (command: AgentCommand) => void) {
  const typing = TYPING_A_COMMAND.test(text);
  const commands = useQuery({ queryKey: ['commands'], queryFn: fetchCommands, enabled: typing, staleTime: 60_000 });
  const [dismissedAt, setDismissedAt] = useState<string | null>(null);
  const [active, setActive] = useState({ text, index: 0 });
  const typed = text.slice(1).toLowerCase();
  const matches = typing && dismissedAt !== text ? (commands.data ?? []).filter((command) => command.name.toLowerCase().startsWith(typed)) : [];
  const open = matches.length > 0;
  const index = active.text === text ? Math.min(active.index, matches.length - 1) : 0;

  function onKeyDown(event: KeyboardEvent): boolean {
    if (!open) return false;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      const step = event.key === 'ArrowDown' ? 1 : -1;
      setActive({ text, index: (index + step + matches.length) % matches.length });
    } else if (event.key === 'Enter' || event.key === 'Tab') {
      if (event.shiftKey) return false;
      choose(matches[index]!);
    } else if (event.key === 'Escape') {
      setDismissedAt(text);
    } else return false;
    event.preventDefault();
    return true;
  }

  // (A textarea may not be a combobox: as a textbox it may still point at the list and its choice.)
  const inputProps = {
    'aria-autocomplete': 'list' as const,
    'aria-controls': open ? LIST_ID : undefined,
    'aria-activedescendant': open ? `${LIST_ID}-${index}` : undefined,
  };
  const list = open ? (
    <ul className="command-list" id={LIST_ID} role="listbox" aria-label="Commands">
      {matches.map((command, position) => (
        <li
          key={command.name}
          id={`${LIST_ID}-${position}`}
          role="option"
          aria-selected={position === index}
          className={position === index ? 'command active' : 'command'}
          // Chosen on press: a click would first take the focus from the message box.
          onMouseDown={(event) => {
            event.preventDefault();
            choose(command);
          }}
        >
          <code>/{command.name}</code>
          {command.argumentHint && <span className="muted"> {command.argumentHint}</span>}
          <span className="command-description">{command.description}</span>
        </li>
      ))}
    </ul>
  ) : null;
  return { list, inputProps, onKeyDown };
}
