'use client';

import { useConversationsStore, useOfflineCopies, useTabConversation } from '@/features/conversations';
import { SettingsDialog, usePush, useServiceWorker } from '@/features/push';
import type { AgentMode } from '@/features/runs';
import type { AttachmentLimits } from '@/features/attachments';
import { useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import { useChat } from '../hooks/use-chat';
import { useConversationStatuses } from '../hooks/use-conversation-statuses';
import { useOnline } from '../hooks/use-online';
import { Composer, type ComposerDraft } from './composer';
import { ConnectionStatus } from './connection-status';
import { ServerBadges } from './server-badges';
import { Expired, FirstVisit } from './empty-conversation';
import { useHandoffLink } from '@/features/sharing';
import { InviteButton } from '@/features/access';
import { useDeleteForGood, useRename } from '../hooks/use-conversation-actions';
import { ConversationHeader } from './conversation-header';
import { MessageList } from './message-list';
import { useBranch } from '../hooks/use-branch';
import { useSheet } from '../hooks/use-sheet';
import { PinnedPlan } from './plan-view';
import { RecentList } from './recent-list';
import { keepTabInsideSheet } from '@/lib/keep-tab-inside';

/** The Files panel (tree, viewer, highlighter) loads when it is first opened. */
const FilesPanel = lazy(() => import('@/features/files').then((module) => ({ default: module.FilesPanel })));

type Props = { workspace: string; models: string[]; modes: AgentMode[]; demoModel: boolean; sandboxed: boolean; attachmentLimits: AttachmentLimits; canInvite?: boolean; worktrees?: boolean };

export function ChatApp({ workspace, models, modes, demoModel, sandboxed, attachmentLimits, canInvite = false, worktrees = false }: Props) {
  const { conversationId, isNew, sharedWithOtherTab, startNew, open } = useTabConversation(workspace);
  const allRecent = useConversationsStore((state) => state.recent);
  const recent = allRecent.filter((entry) => entry.workspace === workspace);
  // The same poll as the Recent list's badges (one request): it also shows runs started elsewhere.
  const statuses = useConversationStatuses({ ids: recent.map((entry) => entry.conversationId), currentId: conversationId });
  const chat = useChat({ workspace, conversationId, isNew, lastRun: conversationId ? statuses.get(conversationId) : undefined });
  const preferences = useConversationsStore((state) => state.preferences);
  const setPreferences = useConversationsStore((state) => state.setPreferences);
  const { open: showRecent, setOpen: setShowRecent, toggle: recentToggle, close: closeRecent } = useSheet();
  const sidebar = useRef<HTMLElement>(null);
  // On a phone the sidebar is a sheet over the chat: opening it moves the focus in, Escape closes
  // it and gives the focus back to its button.
  useEffect(() => {
    if (showRecent) sidebar.current?.querySelector<HTMLElement>('button, [href], input')?.focus();
  }, [showRecent]);
  const { open: showFiles, setOpen: setShowFiles, toggle: filesToggle, close: closeFiles } = useSheet();
  const [focusRequest, setFocusRequest] = useState(0);
  const [draft, setDraft] = useState<ComposerDraft | null>(null);
  const prefill = (text: string, extra: Pick<ComposerDraft, 'attachments' | 'files'> = {}) => setDraft((current) => ({ text, ...extra, count: (current?.count ?? 0) + 1 }));
  // Opened from Recent, where it had messages, but the server no longer has it: it expired.
  const expired = chat.unknownToServer && (recent.find((entry) => entry.conversationId === conversationId)?.messageCount ?? 0) > 0;
  const focusComposer = () => setFocusRequest((count) => count + 1);
  // The agent may have changed files: what the Files panel shows is refreshed when a run ends.
  const queryClient = useQueryClient();
  const runningId = chat.activeRun?.id ?? null;
  useEffect(() => {
    if (runningId === null) void queryClient.invalidateQueries({ queryKey: ['files'] });
  }, [runningId, queryClient]);
  // Opened from a handoff link: that conversation opens here, ready to type in.
  const handoffError = useHandoffLink(open, focusComposer);
  const [actionError, setActionError] = useState<string | null>(null);
  const push = usePush(conversationId);
  const online = useOnline();
  useServiceWorker({ ready: conversationId !== null, currentId: conversationId, open });
  useOfflineCopies({ conversationId, runningId });
  const model = preferences.model && models.includes(preferences.model) ? preferences.model : models[0]!;
  const mode: AgentMode = modes.includes(preferences.mode) ? preferences.mode : modes[0]!;

  async function onSend(text: string, replaceLast = false, attachments: string[] = []): Promise<boolean> {
    try {
      setActionError(null);
      await chat.send.mutateAsync({ text, model, mode, replaceLast, ...(attachments.length > 0 ? { attachments } : {}) });
      setEditing(false);
      return true;
    } catch {
      return false;
    }
  }

  // While a run goes, its newest plan stays in view above the message box.
  const plan = chat.activeRun ? chat.items.findLast((item) => item.kind === 'plan') : undefined;
  const rename = useRename({ workspace, conversationId, recent, onError: setActionError });
  const title = recent.find((entry) => entry.conversationId === conversationId)?.preview;
  const deleteForGood = useDeleteForGood({ conversationId, recent, startNew, onError: setActionError });
  const branch = useBranch({ workspace, conversationId, onError: setActionError });
  const [editing, setEditing] = useState(false);
  // Retry sends the last message again, files and all (it may be files alone); Edit puts both back.
  const last = chat.lastMessage;
  const lastFiles = last?.attachments.map((file) => file.id) ?? [];
  const steer = last
    ? {
        retry: () => void onSend(last.text, true, lastFiles),
        edit: () => {
          setEditing(true);
          prefill(last.text, { attachments: last.attachments });
        },
      }
    : null;

  return (
    <div className="app">
      <header className="topbar">
        <button type="button" className="recent-toggle" ref={recentToggle} aria-expanded={showRecent} onClick={() => setShowRecent(!showRecent)}>
          Recent
        </button>
        <h1 className="title">
          <strong>Tether</strong> <span className="workspace">{workspace}</span>
        </h1>
        <ServerBadges demoModel={demoModel} sandboxed={sandboxed} />
        <ConnectionStatus state={chat.connection} />
        <button type="button" ref={filesToggle} aria-expanded={showFiles} onClick={() => (showFiles ? closeFiles() : setShowFiles(true))}>
          Files
        </button>
        <button type="button" onClick={() => void startNew().then(focusComposer)}>
          New chat
        </button>
      </header>
      <div className="body">
        <aside
          className={showRecent ? 'sidebar open' : 'sidebar'}
          ref={sidebar}
          onKeyDown={(event) => {
            if (!showRecent) return;
            if (event.key === 'Escape') closeRecent();
            keepTabInsideSheet(event);
          }}
        >
          <RecentList
            recent={recent}
            currentId={conversationId}
            onOpen={(id) => {
              setShowRecent(false);
              void open(id).then(focusComposer);
            }}
            onClearAll={() => void deleteForGood('all')}
          />
          <SettingsDialog push={push} />
          {canInvite && <InviteButton />}
        </aside>
        <main className="chat">
          {handoffError && (
            <p className="notice notice-error" role="alert">
              {handoffError}
            </p>
          )}
          {!online && (
            <p className="notice notice-info" role="status">
              Offline — showing a saved copy. It refreshes by itself when the network is back.
            </p>
          )}
          {sharedWithOtherTab && (
            <p className="notice notice-info" role="status">
              This conversation is also open in another tab.
            </p>
          )}
          {chat.loadError && (
            <p className="notice notice-error" role="alert">
              Could not load this conversation: {chat.loadError.message}
            </p>
          )}
          {conversationId && chat.existsOnServer && (
            <ConversationHeader
              conversationId={conversationId}
              title={title}
              worktrees={worktrees}
              push={push}
              muted={chat.muted}
              onMutedChange={chat.setMuted}
              onRename={() => void rename()}
              onDelete={() => void deleteForGood('this')}
            />
          )}
          {chat.loading ? (
            <p className="muted" role="status">
              Loading conversation…
            </p>
          ) : (
            <MessageList
              items={chat.items}
              busy={chat.activeRun !== null}
              decide={chat.decide}
              steer={online ? steer : null}
              branch={online ? branch : null}
              attachmentUrl={conversationId ? (id) => `/api/conversations/${conversationId}/attachments/${id}` : null}
              empty={expired ? <Expired /> : <FirstVisit workspace={workspace} onPick={(text, files) => prefill(text, { files })} />}
            />
          )}
          {plan && <PinnedPlan steps={plan.steps} />}
          {chat.waitingForApproval && (
            <p className="notice notice-info waiting-approval" role="status">
              Waiting for your approval
            </p>
          )}
          {chat.send.error && (
            <p className="notice notice-error" role="alert">
              {chat.send.error.message}
            </p>
          )}
          {actionError && (
            <p className="notice notice-error" role="alert">
              {actionError}
            </p>
          )}
          <Composer
            models={models}
            modes={modes}
            model={model}
            mode={mode}
            running={chat.activeRun !== null}
            disabled={chat.loading || chat.send.isPending || !online}
            disabledReason={online ? null : 'You are offline: messages can be sent once the network is back.'}
            onModel={(value) => setPreferences({ model: value })}
            onMode={(value) => setPreferences({ mode: value })}
            onSend={(text, attachments) => onSend(text, editing, attachments)}
            conversationId={conversationId}
            attachmentLimits={attachmentLimits}
            onStop={chat.stop}
            editing={editing}
            onCancelEdit={() => setEditing(false)}
            onEditLast={steer?.edit ?? null}
            focusRequest={focusRequest}
            draft={draft}
          />
        </main>
        {showFiles && (
          <Suspense
            fallback={
              <aside className="files-panel" aria-label="Files">
                <p className="muted" role="status">
                  Loading…
                </p>
              </aside>
            }
          >
            <FilesPanel conversationId={conversationId} onClose={closeFiles} />
          </Suspense>
        )}
      </div>
    </div>
  );
}
