import 'server-only';
import type { AgentPrompt, AgentPromptBlock } from '@/features/agents/server';
import type { Attachment } from '@/features/attachments';
import { attachmentLimits, formatFileSize, attachmentOf, conversationAttachments } from '@/features/attachments/server';
import { attachmentsMarker } from '@/features/timeline/server';
import { saveNewFile, type Workspace } from '@/features/workspaces/server';
import { AppError } from '@/lib/errors';
import type { AgentMode } from '../types';
import { withAgentNotes } from './agent-notes';
import type { Run } from './run';

/** Where a message's files that the agent opens itself are saved, inside the workspace. */
export const ATTACHMENTS_FOLDER = 'attachments';

type Message = { conversationId: string; visitorId: string; workspace: Workspace };

/**
 * The attachments a message names, checked before anything starts: each an unsent one of this
 * conversation (the owner's), or one of `again` (Retry, Edit: the replaced message's, sent
 * again); no more, and no more bytes, than a message carries; and in plan mode only the kinds the
 * model is given inline. Returns them in the order given.
 */
export async function checkMessageAttachments({ conversationId, visitorId, workspace, ids, mode, again = [] }: Message & { ids: string[]; mode: AgentMode; again?: string[] }): Promise<Attachment[]> {
  if (ids.length === 0) return [];
  const { perMessage, messageBytes } = attachmentLimits();
  if (ids.length > perMessage) throw new AppError('payload_too_large:message_attachments', `A message can carry at most ${perMessage} attachments.`);
  const sendable = new Map(
    (await conversationAttachments({ conversationId, visitorId, workspace: workspace.name })).filter((item) => item.runId === null || again.includes(item.id)).map((item) => [item.id, item]),
  );
  const attachments = ids.map((id) => {
    const found = sendable.get(id);
    if (!found) throw new AppError('not_found:attachment', 'An attachment of this message is gone or was already sent. Attach it again.');
    const { runId: _run, ...attachment } = found;
    return attachment;
  });
  // Uploads were kept within a message's bytes; the ones sent again come on top of them.
  const bytes = attachments.reduce((sum, attachment) => sum + attachment.size, 0);
  if (bytes > messageBytes) {
    throw new AppError(
      'payload_too_large:message_attachments',
      `A message's attachments can be at most ${formatFileSize(messageBytes)} together, and these come to ${formatFileSize(bytes)}. Remove one.`,
    );
  }
  const saved = attachments.filter((attachment) => attachment.kind === 'other');
  if (mode === 'plan' && saved.length > 0) {
    throw new AppError(
      'bad_request:attachment_in_plan_mode',
      `${saved.map((attachment) => `"${attachment.name}"`).join(', ')} can't be sent in plan mode: files other than images, PDFs and text files are saved into the workspace for the agent to open, and in plan mode the workspace is read-only. Remove ${saved.length === 1 ? 'it' : 'them'}, or switch to ask or build mode.`,
    );
  }
  return attachments;
}

/**
 * The message as the agent gets it: its text alone when it has no attachments; else content
 * blocks, the marker naming the attachments first (see attachment-marker.ts), then each image or
 * PDF as the model reads it, each text file's text, a note of the files saved into the workspace
 * (other files; text files too outside plan mode, so the agent can work on them), and the text.
 */
export async function messagePrompt({ conversationId, visitorId, workspace, mode, text, attachments }: Message & { mode: AgentMode; text: string; attachments: Attachment[] }): Promise<AgentPrompt> {
  if (attachments.length === 0) return text;
  const content: AgentPromptBlock[] = [{ type: 'text', text: attachmentsMarker(attachments) }];
  const saved: string[] = [];
  for (const attachment of attachments) {
    const { bytes } = await attachmentOf({ conversationId, visitorId, workspace: workspace.name, id: attachment.id });
    const block = inlineBlock(attachment, bytes);
    if (block) content.push(block);
    if (attachment.kind === 'other' || (attachment.kind === 'text' && mode !== 'plan')) {
      const path = saveNewFile(workspace, { folder: ATTACHMENTS_FOLDER, name: attachment.name, bytes });
      saved.push(`- ${path} (${attachment.mediaType}, ${attachment.size} bytes)`);
    }
  }
  // Tagged like the CLI's own notes, so the history does not show it as the visitor's words.
  if (saved.length > 0) content.push({ type: 'text', text: `<attachments-saved>\nThe visitor's attached files are saved in the workspace:\n${saved.join('\n')}\n</attachments-saved>` });
  if (text) content.push({ type: 'text', text });
  return content;
}

function inlineBlock(attachment: Attachment, bytes: Buffer): AgentPromptBlock | null {
  const data = bytes.toString('base64');
  switch (attachment.kind) {
    case 'image':
      // The upload checked the bytes are an image of this type (features/attachments/server/classify.ts).
      return { type: 'image', source: { type: 'base64', media_type: attachment.mediaType as 'image/png', data } };
    case 'pdf':
      return { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data }, title: attachment.name };
    case 'text':
      return { type: 'text', text: `<attached-file name=${JSON.stringify(attachment.name)}>\n${bytes.toString('utf8')}\n</attached-file>` };
    case 'other':
      return null;
  }
}

/**
 * The visitor's message again, from the run's start event, for a run that starts over from it
 * (continued before its agent got it, or its session gone): its attachments are read again from
 * the database (already the run's), its saved files saved again beside the first copies, and the
 * note of an Undo it carried given again (the same run takes the same note). Undefined when the
 * run has no start event here.
 */
export async function startEventPrompt(run: Run, workspace: Workspace): Promise<AgentPrompt | undefined> {
  const start = run.events.find((event) => event.type === 'start');
  if (start?.type !== 'start') return undefined;
  const { conversationId, visitorId, mode } = run;
  const prompt = await messagePrompt({ conversationId, visitorId, workspace, mode, text: start.prompt, attachments: start.attachments ?? [] });
  return withAgentNotes({ conversationId, runId: run.id, text: start.prompt, prompt });
}
