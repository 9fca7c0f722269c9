import 'server-only';
import { getSubagentMessages } from '@anthropic-ai/claude-agent-sdk';
import { transcriptSource } from '@/features/agents/server';
import { resolveTool, type ChatItem } from '../chat-items';
import { blocks, toolResultEvent } from './normalize';
import { contentText, toolTarget } from './tool-target';

/** The subagent an Agent call's result names ("agentId: …" after its report): where its own transcript is. */
export function subagentIdIn(content: unknown): string | null {
  return /\nagentId: (\w+)/.exec(contentText(content))?.[1] ?? null;
}

/** Each subagent's own tool calls, from its transcript, as items inside its Agent call's card (`parentId`). */
export async function subagentSteps({
  conversationId,
  sdkSessionId,
  workspaceDir,
  agents,
}: {
  conversationId: string;
  sdkSessionId: string;
  workspaceDir: string;
  agents: Map<string, string>;
}): Promise<ChatItem[]> {
  let steps: ChatItem[] = [];
  for (const [toolId, agentId] of agents) {
    for (const entry of await getSubagentMessages(sdkSessionId, agentId, transcriptSource(conversationId, workspaceDir))) {
      for (const block of blocks((entry.message as { content?: unknown }).content)) {
        if (block.type === 'tool_use') {
          steps = [
            ...steps,
            { kind: 'tool', id: String(block.id), name: String(block.name), target: toolTarget(block.input, workspaceDir), status: 'running', summary: null, lines: null, parentId: toolId },
          ];
        }
        if (block.type === 'tool_result') steps = resolveTool(steps, toolResultEvent(block));
      }
    }
  }
  return steps;
}
