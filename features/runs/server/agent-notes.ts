import 'server-only';
import type { AgentPrompt } from '@/features/agents/server';
import { commandIn } from '@/features/agents/vocabulary';
import { takeUndoNote } from '@/features/changes/server';

/**
 * The message as the agent gets it with what Tether must tell it besides: after an Undo, which
 * files were put back (else its next turn believes its edits are still there). The note goes first,
 * as a block of its own that the history never shows as the visitor's words. A command is sent as
 * typed, for the CLI to run: the note waits for the next message.
 */
export async function withAgentNotes({ conversationId, runId, text, prompt }: { conversationId: string; runId: string; text: string; prompt: AgentPrompt }): Promise<AgentPrompt> {
  if (commandIn(text)) return prompt;
  const note = await takeUndoNote({ conversationId, runId });
  if (note === null) return prompt;
  return [{ type: 'text', text: note }, ...(typeof prompt === 'string' ? [{ type: 'text' as const, text: prompt }] : prompt)];
}
