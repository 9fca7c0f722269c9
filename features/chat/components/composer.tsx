'use client';

import { useState, type FormEvent, type KeyboardEvent } from 'react';
import { MAX_MESSAGE_CHARS, modelDisplayName, type AgentMode } from '@/features/runs';

const modeLabels: Record<AgentMode, string> = { plan: 'Plan (read-only)', ask: 'Ask (asks before acting)', build: 'Build (may edit)' };

type Props = {
  models: string[];
  modes: readonly AgentMode[];
  model: string;
  mode: AgentMode;
  running: boolean;
  disabled: boolean;
  onModel: (model: string) => void;
  onMode: (mode: AgentMode) => void;
  onSend: (text: string) => Promise<boolean>;
  onStop: () => void;
};

export function Composer({ models, modes, model, mode, running, disabled, onModel, onMode, onSend, onStop }: Props) {
  const [text, setText] = useState('');

  async function submit(event?: FormEvent) {
    event?.preventDefault();
    if (!text.trim() || running || disabled) return;
    // Keep what was typed until the server has accepted it: a failed send loses nothing.
    if (await onSend(text)) setText('');
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void submit();
    }
  }

  return (
    <form className="composer" onSubmit={submit}>
      <textarea
        aria-label="Message"
        placeholder="Ask the agent…"
        value={text}
        maxLength={MAX_MESSAGE_CHARS}
        rows={2}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={onKeyDown}
      />
      <div className="composer-bar">
        <label>
          <span className="visually-hidden">Model</span>
          <select aria-label="Model" value={model} onChange={(event) => onModel(event.target.value)}>
            {models.map((name) => (
              <option key={name} value={name}>{modelDisplayName(name)}</option>
            ))}
          </select>
        </label>
        <label>
          <span className="visually-hidden">Mode</span>
          <select aria-label="Mode" value={mode} onChange={(event) => onMode(event.target.value as AgentMode)}>
            {modes.map((name) => (
              <option key={name} value={name}>{modeLabels[name]}</option>
            ))}
          </select>
        </label>
        {running ? (
          <button type="button" className="stop" onClick={onStop}>Stop</button>
        ) : (
          <button type="submit" disabled={disabled || !text.trim()}>Send</button>
        )}
      </div>
    </form>
  );
}
