'use client';

import { useRef, useState } from 'react';
import { CommitDialog, ConversationChangesDialog } from '@/features/changes';
import { ConversationNotifications, type Push } from '@/features/push';
import { HandoffDialog, ShareDialog } from '@/features/sharing';
import { MenuButton, MenuItem, MenuLink, MenuSeparator } from '@/lib/ui/menu-button';

type MenuDialog = 'notifications' | 'handoff' | 'share' | 'changes' | 'commit';

/**
 * The open conversation's header: its title (a click renames it) and one "⋯" menu with what can
 * be done to it, so the space between the conversation and the message box stays the message's.
 */
export function ConversationHeader({
  conversationId,
  title,
  worktrees,
  push,
  muted,
  onMutedChange,
  onRename,
  onDelete,
}: {
  conversationId: string;
  title: string | undefined;
  /** The conversation has a git worktree of its own (worktree isolation): it can be committed. */
  worktrees: boolean;
  push: Push;
  muted: boolean;
  onMutedChange: (muted: boolean) => void;
  onRename: () => void;
  onDelete: () => void;
}) {
  const [dialog, setDialog] = useState<MenuDialog | null>(null);
  const menuButton = useRef<HTMLButtonElement>(null);
  // The item that opened the dialog is hidden by the time it closes: the focus goes back to ⋯.
  const closeDialog = () => {
    setDialog(null);
    menuButton.current?.focus();
  };
  const exportHref = (format: 'md' | 'json') => `/api/conversations/${conversationId}/export?format=${format}`;
  return (
    <div className="conversation-header">
      {title && (
        <h2 className="conversation-title">
          <button type="button" className="title-button" title="Rename" onClick={onRename}>
            {title}
          </button>
        </h2>
      )}
      <MenuButton label="Conversation menu" buttonRef={menuButton}>
        <MenuItem onSelect={() => setDialog('notifications')}>Notifications</MenuItem>
        <MenuItem onSelect={() => setDialog('handoff')}>Continue on another device</MenuItem>
        <MenuItem onSelect={() => setDialog('share')}>Share read-only</MenuItem>
        <MenuSeparator />
        <MenuItem onSelect={() => setDialog('changes')}>Changes in this conversation</MenuItem>
        {worktrees && <MenuItem onSelect={() => setDialog('commit')}>Commit…</MenuItem>}
        <MenuLink href={exportHref('md')} download>
          Export as Markdown
        </MenuLink>
        <MenuLink href={exportHref('json')} download>
          Export as JSON
        </MenuLink>
        <MenuSeparator />
        <MenuItem onSelect={onRename}>Rename</MenuItem>
        <MenuItem onSelect={onDelete} className="danger">
          Delete conversation
        </MenuItem>
      </MenuButton>
      <ConversationNotifications push={push} conversationId={conversationId} muted={muted} onMutedChange={onMutedChange} open={dialog === 'notifications'} onClose={closeDialog} />
      <HandoffDialog conversationId={conversationId} open={dialog === 'handoff'} onClose={closeDialog} />
      <ShareDialog conversationId={conversationId} open={dialog === 'share'} onClose={closeDialog} />
      <ConversationChangesDialog conversationId={conversationId} open={dialog === 'changes'} onClose={closeDialog} />
      {worktrees && dialog === 'commit' && <CommitDialog conversationId={conversationId} title={title} open onClose={closeDialog} />}
    </div>
  );
}
