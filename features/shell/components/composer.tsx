'use client';

import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { MAX_MESSAGE_CHARS, modelDisplayName, type AgentCommand, type AgentMode } from '@/features/runs';
import { AttachmentChips, useAttachmentDrafts, type Attachment, type AttachmentLimits } from '@/features/attachments';
import { useCommandList } from './command-list';

/** What the model reads itself; in plan mode (the workspace read-only) nothing else can be attached. */
const INLINE_KINDS = 'image/png,image/jpeg,image/gif,image/webp,application/pdf,text/*';

/**
 * What to put in the message box: an example prompt picked, with its sample files (`files`, picked
 * as the visitor would pick them), or the last message to edit, with its files (`attachments`,
 * already uploaded, in place of any put back before). Again each time `count` changes.
 */
export type ComposerDraft = { text: string; attachments?: Attachment[]; files?: File[]; count: number };

const modeLabels: Record<AgentMode, string> = { plan: 'Plan (read-only)', ask: 'Ask (asks before acting)', build: 'Build (may edit)' };

type Props = {
  models: string[];
  modes: readonly AgentMode[];
  model: string;
  mode: AgentMode;
  running: boolean;
  disabled: boolean;
  /** Said under the message box while it can't send (offline). */
  disabledReason?: string | null;
  onModel: (model: string) => void;
  onMode: (mode: AgentMode) => void;
  /** `attachments`: the ids of the files uploaded for this message. */
  onSend: (text: string, attachments: string[]) => Promise<boolean>;
  /** The conversation the files picked are uploaded to, and the limits they are checked against first. */
  conversationId: string | null;
  attachmentLimits: AttachmentLimits;
  onStop: () => void;
  /** Changes when the message box should take the focus (a new chat, another conversation opened). */
  focusRequest: number;
  /** Text to put in the message box, each time `count` changes (see ComposerDraft). */
  draft: ComposerDraft | null;
  /** The message box holds the last message to change: sending replaces it. */
  editing?: boolean;
  onCancelEdit?: () => void;
  /** ↑ in the empty message box: edit the last message (null: there is none to edit now). */
  onEditLast?: (() => void) | null;
};

export function Composer({
  models,
  modes,
  model,
  mode,
  running,
  disabled,
  disabledReason = null,
  onModel,
  onMode,
  onSend,
  onStop,
  focusRequest,
  draft,
  editing = false,
  onCancelEdit,
  onEditLast = null,
  conversationId,
  attachmentLimits,
}: Props) {
  const [text, setText] = useState('');
  const message = useRef<HTMLTextAreaElement>(null);
  const stop = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (focusRequest > 0) message.current?.focus();
  }, [focusRequest]);

  const files = useAttachmentDrafts({ conversationId, limits: attachmentLimits });
  const [draftShown, setDraftShown] = useState(0);
  if (draft && draft.count !== draftShown) {
    // State set during render (React's pattern for deriving from a changed prop).
    setDraftShown(draft.count);
    setText(draft.text);
    if (draft.attachments) files.prefill(draft.attachments);
  }
  useEffect(() => {
    if (draft) message.current?.focus();
  }, [draft]);
  // Once per draft (an effect may run twice): they upload.
  const filesAdded = useRef(0);
  const addFiles = files.add;
  useEffect(() => {
    if (!draft?.files || filesAdded.current === draft.count) return;
    filesAdded.current = draft.count;
    void addFiles(draft.files);
  }, [draft, addFiles]);

  // Send and Stop take each other's place: the focus, left on nothing when its button went away,
  // moves onto Stop, and back to the message box (Send is disabled while it is empty).
  const wasRunning = useRef(running);
  useEffect(() => {
    if (wasRunning.current === running) return;
    wasRunning.current = running;
    if (document.activeElement && document.activeElement !== document.body) return;
    (running ? stop.current : message.current)?.focus();
  }, [running]);

  const fileInput = useRef<HTMLInputElement>(null);
  // Plan mode leaves the workspace read-only: a file the model can't read itself has nowhere to go.
  const unsaveable = mode === 'plan' ? files.drafts.filter((draft) => draft.attachment?.kind === 'other').map((draft) => draft.name) : [];
  const sendable = (message: string) => (message.trim() !== '' || files.ids.length > 0) && !files.uploading && unsaveable.length === 0;

  async function submit(event?: FormEvent, message = text) {
    event?.preventDefault();
    if (!sendable(message) || running || disabled) return;
    // Keep what was typed (and picked) until the server has accepted it: a failed send loses nothing.
    if (await onSend(message, files.ids)) {
      setText('');
      files.clear();
    }
  }

  // A command with arguments waits for them; one without is sent as it is chosen.
  const commands = useCommandList(text, (command: AgentCommand) => (command.argumentHint ? setText(`/${command.name} `) : void submit(undefined, `/${command.name}`)));

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (commands.onKeyDown(event)) return;
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void submit();
    } else if (event.key === 'Escape' && running) {
      event.preventDefault();
      onStop();
    } else if (event.key === 'Escape' && editing) {
      event.preventDefault();
      cancelEdit();
    } else if (event.key === 'ArrowUp' && !text && onEditLast && !running) {
      event.preventDefault();
      onEditLast();
    }
  }

  function cancelEdit() {
    setText('');
    files.prefill([]); // the last message keeps its files
    onCancelEdit?.();
  }

  return (
    <form
      className="composer"
      onSubmit={submit}
      onDragOver={(event) => event.preventDefault()}
      onDrop={(event) => {
        event.preventDefault();
        void files.add([...event.dataTransfer.files]);
      }}
    >
      {editing && (
        <p className="composer-editing" role="status">
          Editing your last message: sending replaces it and its answer.{' '}
          <button type="button" className="link-button" onClick={cancelEdit}>
            Cancel
          </button>
        </p>
      )}
      {commands.list}
      <AttachmentChips drafts={files.drafts} onRemove={files.remove} />
      {unsaveable.length > 0 && (
        <p className="notice notice-info" role="status">
          Plan mode keeps the workspace read-only, so {unsaveable.join(', ')} can't be saved into it for the agent. Switch to Build or Ask, or remove {unsaveable.length === 1 ? 'it' : 'them'}.
        </p>
      )}
      <textarea
        ref={message}
        {...commands.inputProps}
        aria-label="Message"
        placeholder="Ask the agent…"
        value={text}
        maxLength={MAX_MESSAGE_CHARS}
        rows={2}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={onKeyDown}
        onPaste={(event) => {
          // A screenshot on the clipboard is a file: it goes with the message (text pastes as text).
          if (event.clipboardData.files.length === 0) return;
          event.preventDefault();
          void files.add([...event.clipboardData.files]);
        }}
        disabled={disabledReason !== null}
        aria-describedby={disabledReason ? 'composer-disabled-reason' : undefined}
      />
      {disabledReason && (
        <p className="muted composer-reason" id="composer-disabled-reason">
          {disabledReason}
        </p>
      )}
      <div className="composer-bar">
        <button type="button" onClick={() => fileInput.current?.click()} disabled={disabledReason !== null}>
          Attach
        </button>
        {/* Phones offer the camera and the photo library beside files either way; in plan mode `accept`
            keeps to what the model reads itself (a list of every other type would hide the rest). */}
        <input
          ref={fileInput}
          type="file"
          multiple
          hidden
          aria-label="Attach files"
          accept={mode === 'plan' ? INLINE_KINDS : undefined}
          onChange={(event) => {
            void files.add([...(event.target.files ?? [])]);
            event.target.value = '';
          }}
        />
        <label>
          <span className="visually-hidden">Model</span>
          <select aria-label="Model" value={model} disabled={disabled} onChange={(event) => onModel(event.target.value)}>
            {models.map((name) => (
              <option key={name} value={name}>
                {modelDisplayName(name)}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span className="visually-hidden">Mode</span>
          <select aria-label="Mode" value={mode} disabled={disabled} onChange={(event) => onMode(event.target.value as AgentMode)}>
            {modes.map((name) => (
              <option key={name} value={name}>
                {modeLabels[name]}
              </option>
            ))}
          </select>
        </label>
        {running ? (
          <button key="stop" type="button" className="stop" ref={stop} onClick={onStop}>
            Stop
          </button>
        ) : (
          <button key="send" type="submit" disabled={disabled || !sendable(text)}>
            Send
          </button>
        )}
      </div>
    </form>
  );
}
