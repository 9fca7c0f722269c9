import 'server-only';
import { getSessionMessages } from '@anthropic-ai/claude-agent-sdk';
import { appendText, resolveTool, type ChatItem } from '../chat-items';
import { exportClaudeConfigDir } from './agent/agent-options';
import { blocks, toolResultEvent } from './agent/normalize';
import { toolTarget } from './agent/tool-target';

/**
 * A conversation's history, read from the SDK's own JSONL transcript (no second copy in our
 * database). `before` leaves out what a run still in progress wrote, since the browser
 * replays that run from its events.
 */
export async function loadHistory({ sdkSessionId, workspaceDir, before }: {
  sdkSessionId: string;
  workspaceDir: string;
  before?: Date;
}): Promise<ChatItem[]> {
  exportClaudeConfigDir();
  const messages = await getSessionMessages(sdkSessionId, { dir: workspaceDir });
  let items: ChatItem[] = [];
  for (const entry of messages) {
    const timestamp = (entry as { timestamp?: string }).timestamp;
    if (before && timestamp && new Date(timestamp) >= before) break;
    const content = (entry.message as { content?: unknown }).content;
    if (entry.type === 'user') {
      if (typeof content === 'string') {
        items = addUserText(items, entry.uuid, content);
        continue;
      }
      for (const block of blocks(content)) {
        if (block.type === 'text') items = addUserText(items, entry.uuid, String((block as { text?: string }).text ?? ''));
        if (block.type === 'tool_result') {
          const result = toolResultEvent(block);
          items = resolveTool(items, result.toolId, result.status, result.summary);
        }
      }
    } else if (entry.type === 'assistant') {
      for (const block of blocks(content)) {
        if (block.type === 'text') items = appendText(items, entry.uuid, String((block as { text?: string }).text ?? ''));
        if (block.type === 'tool_use') {
          items = [...items, { kind: 'tool', id: String(block.id), name: String(block.name), target: toolTarget(block.input, workspaceDir), status: 'running', summary: null }];
        }
      }
    }
  }
  // A tool call with no result in the transcript never finished (the run was stopped or cut off).
  return items.map((item) => (item.kind === 'tool' && item.status === 'running' ? { ...item, status: 'error', summary: 'Did not finish.' } : item));
}

function addUserText(items: ChatItem[], id: string, text: string): ChatItem[] {
  // The CLI adds system reminders and command wrappers as user text; they are not the user's words.
  if (!text.trim() || text.startsWith('<')) return items;
  return [...items, { kind: 'user', id, text }];
}
