import { z } from 'zod';
import type { Attachment } from '@/features/attachments';
import type { FileChange } from '@/features/changes';
import { agentModes, approvalDeciders, approvalDecisions, approvalScopes, planStepStatuses, runStatuses, toolStatuses, type PlanStep } from './vocabulary';

/**
 * What a run reports, normalized from the SDK's messages: the wire protocol of
 * `/api/runs/:id/events`, declared once. The server emits these bodies (typed by them), and every
 * reader (browser, tests, bench) parses what it receives against them.
 *
 * The browser loads this module lazily (see follower/follow-run.ts): zod stays out of the page's
 * first load.
 */

const mode = z.enum(agentModes);

// The defaults read a run's events journaled by an earlier version, which had none of these.
export const fileChangeSchema: z.ZodType<FileChange, unknown> = z.object({
  path: z.string(),
  kind: z.enum(['added', 'modified', 'deleted', 'renamed']).default('modified'),
  oldPath: z.string().nullable().default(null),
  mode: z.object({ before: z.string(), after: z.string() }).nullable().default(null),
  binary: z.boolean().default(false),
  size: z.number().nullable().default(null),
  /** Null when binary, not kept, or too large to show. */
  patch: z.string().nullable(),
  added: z.number().nullable(),
  removed: z.number().nullable(),
  /** Whether Undo can restore it. */
  restorable: z.boolean(),
});

export const planStepSchema: z.ZodType<PlanStep> = z.object({
  content: z.string(),
  status: z.enum(planStepStatuses),
  activeForm: z.string().nullable(),
});

/** An attachment as a message names it (features/attachments), never its bytes. */
export const attachmentSchema: z.ZodType<Attachment> = z.object({
  id: z.string(),
  name: z.string(),
  mediaType: z.string(),
  size: z.number(),
  kind: z.enum(['image', 'pdf', 'text', 'other']),
  width: z.number().nullable(),
  height: z.number().nullable(),
});

export const runEventSchemas = {
  /** The visitor's message: its text as typed (empty when it is attachments alone), and its attachments (absent: none). */
  start: z.object({
    type: z.literal('start'),
    runId: z.string(),
    conversationId: z.string(),
    model: z.string(),
    mode,
    prompt: z.string(),
    attachments: z.array(attachmentSchema).optional(),
  }),
  /** Waiting for a free agent slot at this position; 0 = it got one and starts now. */
  queue: z.object({ type: z.literal('queue'), position: z.number() }),
  text: z.object({ type: z.literal('text'), text: z.string() }),
  /** Extended thinking as it streams (the first, empty, opens it). */
  thinking: z.object({ type: z.literal('thinking'), text: z.string() }),
  /** A thinking block ended, after `durationMs`; `redacted`: the provider encrypted it, so it had no text. */
  thinking_end: z.object({ type: z.literal('thinking_end'), durationMs: z.number(), redacted: z.boolean() }),
  /** `parentToolId`: a subagent's call, inside the card of the Agent call that started it. */
  tool: z.object({ type: z.literal('tool'), toolId: z.string(), name: z.string(), target: z.string().nullable(), parentToolId: z.string().nullable().optional() }),
  /** `summary`: the output's first lines; `lines`: how many it has in all. */
  tool_result: z.object({
    type: z.literal('tool_result'),
    toolId: z.string(),
    status: z.enum(toolStatuses).exclude(['running']),
    summary: z.string(),
    lines: z.number(),
  }),
  /** The agent's plan changed (`toolId`: a TodoWrite call, or a TaskCreate or TaskUpdate the CLI applied): the whole checklist, as it is now. */
  plan: z.object({ type: z.literal('plan'), toolId: z.string(), steps: z.array(planStepSchema) }),
  notice: z.object({ type: z.literal('notice'), message: z.string() }),
  /** The model API failed and the CLI retries it: progress for the waiting visitor, replaced by what comes next. */
  retry: z.object({ type: z.literal('retry'), message: z.string() }),
  error: z.object({ type: z.literal('error'), code: z.string(), message: z.string() }),
  /** In ask mode the agent wants to act (`toolId` is its tool card) and waits for the visitor, until `expiresAt`. */
  approval: z.object({
    type: z.literal('approval'),
    approvalId: z.string(),
    toolId: z.string(),
    tool: z.string(),
    summary: z.string(),
    detail: z.string().nullable(),
    expiresAt: z.string(),
  }),
  approval_decided: z.object({
    type: z.literal('approval_decided'),
    approvalId: z.string(),
    decision: z.enum(approvalDecisions),
    scope: z.enum(approvalScopes),
    note: z.string().nullable(),
    by: z.enum(approvalDeciders),
    /** The deciding browser's own id (null unless a visitor decided). */
    device: z.string().nullable(),
  }),
  /** At the end of a run that changed files: what it changed, for the Changes section and its Undo. */
  changes: z.object({ type: z.literal('changes'), runId: z.string(), files: z.array(fileChangeSchema) }),
  end: z.object({
    type: z.literal('end'),
    status: z.enum(runStatuses).exclude(['running']),
    model: z.string(),
    mode,
    costUsd: z.number().nullable(),
    inputTokens: z.number().nullable(),
    outputTokens: z.number().nullable(),
    durationMs: z.number(),
    /** How full the context window was after the run's last turn (null: unknown; absent from older servers). */
    contextTokens: z.number().nullable().optional(),
    contextWindow: z.number().nullable().optional(),
  }),
};

export type RunEventType = keyof typeof runEventSchemas;

export type RunEventBody = { [T in RunEventType]: z.infer<(typeof runEventSchemas)[T]> }[RunEventType];
/** Every event carries its run's sequence number (the SSE `id`). */
export type RunEvent = RunEventBody & { seq: number };

const seqSchema = z.number().int().positive();

export type ParsedRunEvent = { ok: true; event: RunEvent } | { ok: false; reason: string };

/**
 * Reads one event off the wire. An event this code does not know (a newer server's), or one whose
 * fields don't match, comes back as a reason instead of an exception: the reader skips it and the
 * view goes on.
 */
export function parseRunEvent(data: string): ParsedRunEvent {
  let raw: unknown;
  try {
    raw = JSON.parse(data);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const type = typeof raw === 'object' && raw !== null ? (raw as { type?: unknown }).type : undefined;
  if (typeof type !== 'string' || !Object.hasOwn(runEventSchemas, type)) return { ok: false, reason: `unknown event type ${JSON.stringify(type)}` };
  const body = runEventSchemas[type as RunEventType].safeParse(raw);
  const seq = seqSchema.safeParse((raw as { seq?: unknown }).seq);
  if (!body.success || !seq.success) return { ok: false, reason: `malformed ${type} event: ${(body.error ?? seq.error)!.issues[0]?.message}` };
  return { ok: true, event: { ...body.data, seq: seq.data } as RunEvent };
}
