import 'server-only';
import { getConversation } from '@/features/conversations/server';
import { agentWorkspaceDir } from '@/features/sandbox/server';
import type { ChatItem } from '@/features/timeline';
import { contentBlocks, contentText, loadHistory, readSession, type FinishedRun } from '@/features/timeline/server';
import type { Workspace } from '@/features/workspaces/server';
import { AppError } from '@/lib/errors';
import { modelDisplayName } from '../model-names';
import type { exportFormatSchema } from '../schemas';
import type { z } from 'zod';
import { listRuns } from './queries';

export type ExportFormat = z.infer<typeof exportFormatSchema>;

/**
 * The conversation as a file to download: Markdown to read, or the raw JSON record. Its runs'
 * outcomes come in finished (a run still going is exported as far as its transcript got).
 */
export async function conversationExport({
  visitorId,
  workspace,
  conversationId,
  format,
}: {
  visitorId: string;
  workspace: Workspace;
  conversationId: string;
  format: ExportFormat;
}): Promise<Response> {
  const conversation = await getConversation({ id: conversationId, visitorId, workspace: workspace.name });
  if (!conversation) throw new AppError('not_found:conversation', 'No such conversation.');
  const source = { conversationId, sdkSessionId: conversation.sdkSessionId, workspaceDir: agentWorkspaceDir(workspace), title: conversation.title, runs: await listRuns(conversationId) };
  const name = fileName(conversation.title, format);
  const headers = { 'content-disposition': `attachment; filename="${name}"`, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };
  if (format === 'json') return new Response(JSON.stringify(await exportJson(source), null, 2), { headers: { ...headers, 'content-type': 'application/json; charset=utf-8' } });
  return new Response(await exportMarkdown(source), { headers: { ...headers, 'content-type': 'text/markdown; charset=utf-8' } });
}

/** `tether-fix-the-login-bug.md`: the title in safe characters only (it goes in a header). */
function fileName(title: string | null, format: ExportFormat): string {
  const slug = (title ?? 'conversation')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return `tether-${slug || 'conversation'}.${format}`;
}

type Conversation = { conversationId: string; sdkSessionId: string | null; workspaceDir: string; title: string | null; runs: FinishedRun[] };

/** Longest fence in `text` plus one: a code block that no backtick run inside it can close. */
const fence = (text: string) => '`'.repeat(Math.max(3, ...[...text.matchAll(/`+/g)].map((run) => run[0].length + 1)));
const code = (text: string, language = '') => `${fence(text)}${language}\n${text}\n${fence(text)}`;

/**
 * The conversation as Markdown, to read or keep anywhere: the messages as the history shows them,
 * each tool call folded in a `<details>` with its whole input and result (from the transcript),
 * and each run's outcome with its cost.
 */
async function exportMarkdown(conversation: Conversation): Promise<string> {
  const { items, tools } = await readAll(conversation);
  const parts = [`# ${conversation.title ?? 'Conversation'}`, `_Exported from Tether on ${new Date().toISOString().slice(0, 10)}._`];
  for (const item of items) {
    const part = itemMarkdown(item, tools);
    if (part) parts.push(part);
  }
  return `${parts.join('\n\n')}\n`;
}

/** The raw record: every transcript message as the SDK reads it, and the runs with their outcomes. */
async function exportJson(conversation: Conversation): Promise<unknown> {
  const messages = conversation.sdkSessionId ? await readSession({ ...conversation, sdkSessionId: conversation.sdkSessionId }) : [];
  return { conversation: { id: conversation.conversationId, title: conversation.title }, exportedAt: new Date().toISOString(), runs: conversation.runs, messages };
}

type ToolDetail = { input: unknown; result: string | null };

/** The history and each tool call's whole input and result, from one read of the session. */
async function readAll({ conversationId, sdkSessionId, workspaceDir, runs }: Conversation): Promise<{ items: ChatItem[]; tools: Map<string, ToolDetail> }> {
  if (!sdkSessionId) return { items: [], tools: new Map() };
  const messages = await readSession({ conversationId, sdkSessionId, workspaceDir });
  const tools = new Map<string, ToolDetail>();
  for (const entry of messages) {
    for (const block of contentBlocks((entry.message as { content?: unknown }).content)) {
      if (block.type === 'tool_use') tools.set(String(block.id), { input: block.input, result: null });
      const called = block.type === 'tool_result' ? tools.get(String(block.tool_use_id)) : undefined;
      if (called) called.result = contentText(block.content).trim();
    }
  }
  return { items: await loadHistory({ conversationId, sdkSessionId, workspaceDir, runs, messages }), tools };
}

function itemMarkdown(item: ChatItem, tools: Map<string, ToolDetail>): string | null {
  switch (item.kind) {
    case 'user': {
      const attached = item.attachments?.length ? `_Attached: ${item.attachments.map(({ name }) => `\`${name}\``).join(', ')}_` : '';
      return `## You\n\n${[item.text, attached].filter(Boolean).join('\n\n')}`;
    }
    case 'assistant':
      return `## Agent\n\n${item.text}`;
    case 'thinking':
      return item.redacted ? '> _Thinking (redacted by the provider)_' : `<details><summary>Thinking</summary>\n\n${code(item.text)}\n\n</details>`;
    case 'plan':
      return `**Plan**\n\n${item.steps.map((step) => `- [${step.status === 'completed' ? 'x' : ' '}] ${step.content}${step.status === 'in_progress' ? ' _(in progress)_' : ''}`).join('\n')}`;
    case 'tool': {
      const detail = tools.get(item.id);
      const input = code(JSON.stringify(detail?.input ?? null, null, 2), 'json');
      const result = detail?.result ?? item.summary ?? '';
      return `<details><summary>${escapeHtml(`${item.name}${item.target ? ` ${item.target}` : ''}`)} · ${item.status}</summary>\n\nInput:\n\n${input}\n\nResult:\n\n${code(result)}\n\n</details>`;
    }
    case 'notice':
      return `> ${item.text}`;
    case 'changes':
      return `**Changed files:** ${item.files.map((file) => `\`${file.path}\`${file.kind === 'modified' ? '' : ` (${file.kind}${file.oldPath ? ` from \`${file.oldPath}\`` : ''})`}`).join(', ')}${item.undoneAt ? ' (undone)' : ''}`;
    case 'run_end': {
      const tokens = item.inputTokens !== null ? ` · ${item.inputTokens.toLocaleString('en')} in / ${(item.outputTokens ?? 0).toLocaleString('en')} out tokens` : '';
      const cost = item.costUsd !== null ? ` · $${item.costUsd.toFixed(4)}` : '';
      const duration = item.durationMs !== null ? ` · ${(item.durationMs / 1000).toFixed(1)} s` : '';
      return `_${item.status === 'completed' ? '' : `${item.status} · `}${modelDisplayName(item.model)} in ${item.mode} mode${duration}${tokens}${cost}_\n\n---`;
    }
    default:
      return null; // live-only items (queue, retry, approvals) are not in a history
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[char]!);
}
