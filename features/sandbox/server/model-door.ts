import 'server-only';
import type { ModelUsage } from '@/lib/messages-api/usage';
import type { BridgeAdmission, BridgeRequest, BridgeRefusal } from '@/lib/sandbox/model-bridge';
import { WebAllowance } from '@/lib/sandbox/web-proxy';
import type { Workspace } from '@/features/workspaces/server';
import { serverEnv } from '@/lib/env';
import { offeredModels } from './offer';
import { costOf } from './model-prices';
import type { ModelEndpoint } from './model-endpoint';

/**
 * What one agent process may do through its model bridge, and what it spent. The shell in the
 * sandbox holds the same token as the CLI, so the door — not the token — decides:
 * - only the Messages API's own two calls, for a model this workspace offers, with `max_tokens`
 *   capped and a bounded body;
 * - a few requests at once;
 * - only while a run of this process is active (`open` … `close`). A process the shell left
 *   behind finds the door shut between runs, and whatever it has in flight is cut when a run ends;
 * - every answer is metered and charged to the run it happened in (`Visit.onSpend`), which can
 *   shut the door for the rest of the run when a budget is used up (`refuse`).
 */

export type DoorRules = {
  models: readonly string[];
  maxOutputTokens: number;
  maxInFlight: number;
  /** The demo model: metered like any other, at a price of zero. */
  free: boolean;
  /** Connections at once and bytes per run through the web proxy, in workspaces that allow the web. */
  web: { maxConnections: number; maxBytes: number };
};

export type Spend = { model: string; usd: number; usage: ModelUsage };
/** The active run, as the door sees it. */
export type Visit = { onSpend: (spend: Spend) => void };

/** The rules from the server's settings, for a process in `workspace`. */
export function doorRules(workspace: Workspace, endpoint: ModelEndpoint): DoorRules {
  const env = serverEnv();
  return {
    models: offeredModels(workspace),
    maxOutputTokens: env.TETHER_MAX_OUTPUT_TOKENS,
    maxInFlight: env.TETHER_MODEL_REQUESTS_AT_ONCE,
    free: endpoint.demo,
    web: { maxConnections: env.TETHER_WEB_CONNECTIONS_AT_ONCE, maxBytes: env.TETHER_WEB_MB_PER_RUN * 1024 * 1024 },
  };
}

const PATHS: Record<string, { metered: boolean }> = { '/v1/messages': { metered: true }, '/v1/messages/count_tokens': { metered: false } };
/** The API needs a thinking budget of at least this, below max_tokens. */
const MIN_THINKING_BUDGET = 1024;

export class ModelDoor {
  private visit: Visit | null = null;
  private refusal: string | null = null;
  private readonly inFlight = new Set<() => void>();
  /** The error event this run's latest broken-off answer carried (`overloaded_error`, …): what to tell the visitor. */
  lastStreamError: string | null = null;
  /** The same process's allowance on the web proxy: its byte count starts afresh with each run. */
  readonly web: WebAllowance;

  constructor(private readonly rules: DoorRules) {
    this.web = new WebAllowance(rules.web.maxConnections, rules.web.maxBytes);
  }

  /** A run of this process starts: the door opens for it (approval waits included). */
  open(visit: Visit): void {
    this.visit = visit;
    this.refusal = null;
    this.lastStreamError = null;
    this.web.startRun();
  }

  /** The run ended: the door shuts, and requests still in flight (the shell's) are cut. */
  close(): void {
    this.visit = null;
    this.refusal = null;
    for (const cancel of [...this.inFlight]) cancel();
  }

  /** A budget is used up: every further request of this run gets a 429 with `message`. */
  refuse(message: string): void {
    if (this.visit) this.refusal = message;
  }

  admit(request: BridgeRequest, cancel: () => void): BridgeAdmission | BridgeRefusal {
    const route = request.method === 'POST' ? PATHS[request.path] : undefined;
    if (!route) return refusal(403, 'permission_error', `${request.method} ${request.path} is not available to the agent.`);
    const visit = this.visit;
    if (!visit) return refusal(403, 'permission_error', 'No run is active: the model API is closed until the next message.');
    if (this.refusal) return refusal(429, 'rate_limit_error', this.refusal, 3600);
    if (this.inFlight.size >= this.rules.maxInFlight) {
      return refusal(429, 'rate_limit_error', `At most ${this.rules.maxInFlight} model requests may be in flight at once.`, 1);
    }
    const body = parseBody(request.body);
    if (!body) return refusal(400, 'invalid_request_error', 'The request body must be a JSON object.');
    if (typeof body.model !== 'string' || !this.rules.models.includes(body.model)) {
      return refusal(403, 'permission_error', `The model "${String(body.model)}" is not offered here. Offered: ${this.rules.models.join(', ')}.`);
    }
    const model = body.model;
    const capped = capOutput(body, this.rules.maxOutputTokens);
    this.inFlight.add(cancel);
    let settled = false;
    return {
      ok: true,
      body: capped ? Buffer.from(JSON.stringify(body)) : request.body,
      metered: route.metered,
      done: (usage, streamError) => {
        if (settled) return;
        settled = true;
        this.inFlight.delete(cancel);
        if (streamError) this.lastStreamError = streamError;
        if (route.metered) visit.onSpend({ model, usd: this.rules.free ? 0 : costOf(model, usage), usage });
      },
    };
  }
}

type Body = { model?: unknown; max_tokens?: unknown; thinking?: { type?: string; budget_tokens?: unknown } };

function parseBody(raw: Buffer): Body | null {
  try {
    const body: unknown = JSON.parse(raw.toString('utf8'));
    return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Body) : null;
  } catch {
    return null;
  }
}

/** Lowers `max_tokens` (and a thinking budget, which must stay below it) to the cap; true when it changed the body. */
function capOutput(body: Body, cap: number): boolean {
  if (typeof body.max_tokens !== 'number' || body.max_tokens <= cap) return false;
  body.max_tokens = cap;
  const thinking = body.thinking;
  if (thinking?.type === 'enabled' && typeof thinking.budget_tokens === 'number' && thinking.budget_tokens >= cap) {
    if (cap - 1 < MIN_THINKING_BUDGET) delete body.thinking;
    else thinking.budget_tokens = cap - 1;
  }
  return true;
}

function refusal(status: number, type: string, message: string, retryAfterSeconds?: number): BridgeRefusal {
  return { ok: false, status, type, message, retryAfterSeconds };
}
