import 'server-only';
import type { SDKAPIRetryMessage, SDKRateLimitInfo, SDKResultMessage } from '@anthropic-ai/claude-agent-sdk';
import { AppError } from '@/lib/errors';

/** How an agent's turn came back: its result message, or what it threw. */
export type TurnOutcome = {
  result: SDKResultMessage | undefined;
  thrown: unknown;
  /** Set when the CLI child itself ended mid-turn (killed, out of memory, crashed). */
  crashed?: { code: number | null; signal: NodeJS.Signals | null } | null;
  /** The error event an answer broke off with mid-stream (`overloaded_error`, …), as the model door saw it. */
  streamError?: string | null;
};

const MISSING_SESSION = 'No conversation found with session ID';

/** The CLI could not resume: the transcript behind the mapped session id is gone. */
export function isMissingSession({ result, thrown }: TurnOutcome): boolean {
  return failureText({ result, thrown }).includes(MISSING_SESSION);
}

/** A model-side failure as a short message for the conversation, with a code per kind. */
export function describeFailure(outcome: TurnOutcome): { code: string; message: string } {
  // Ours, before the agent had the prompt (the run's snapshot): it says what went wrong itself.
  if (outcome.thrown instanceof AppError && !outcome.result) return { code: outcome.thrown.code, message: outcome.thrown.message };
  if (outcome.crashed) {
    // A sandboxed CLI's death reaches us as bubblewrap's exit status: 128 + the signal.
    const killed = outcome.crashed.signal === 'SIGKILL' || outcome.crashed.code === 137;
    const how = killed ? 'was killed (out of memory?)' : outcome.crashed.signal ? `ended by ${outcome.crashed.signal}` : `exited with code ${outcome.crashed.code}`;
    return { code: 'agent:crashed', message: `The agent process ${how}. Send a message to carry on: the conversation resumes where it was.` };
  }
  if (outcome.result?.subtype === 'error_max_turns') {
    return { code: 'limit:turns', message: `The agent reached its limit of ${outcome.result.num_turns} steps for one message. Send another message to let it go on.` };
  }
  const text = failureText(outcome)
    .replace(/^(Error: )?Claude Code returned an error result: /, '')
    .trim();
  const status = Number(text.match(/API Error: (?:Request rejected \()?(\d{3})/)?.[1]);
  if (text.includes('mid-response')) {
    // The CLI resumed the broken-off answer itself, and it broke off again: what arrived stays shown.
    const what = outcome.streamError === 'overloaded_error' ? 'The model is overloaded right now' : 'The model API failed';
    return {
      code: outcome.streamError === 'overloaded_error' ? 'model:overloaded' : 'model:unavailable',
      message: `${what}, and its answer broke off. What arrived is kept above. Retry in a moment.`,
    };
  }
  if (status === 529) return { code: 'model:overloaded', message: `The model is overloaded right now (${text}). Retry in a moment.` };
  if (status === 401 || status === 403 || /authenticat|api key/i.test(text)) {
    return { code: 'model:auth', message: `The model API refused the credentials (${text}). Check ANTHROPIC_API_KEY.` };
  }
  if (status === 429) return { code: 'model:rate_limited', message: `The model API is rate limiting requests (${text}). Try again in a minute.` };
  if (status >= 500) return { code: 'model:unavailable', message: `The model API is unavailable (${text}).` };
  return { code: 'model:error', message: text || 'The agent stopped with an error.' };
}

function failureText({ result, thrown }: TurnOutcome): string {
  if (result && result.subtype !== 'success' && result.errors.length > 0) return result.errors.join('; ');
  if (result && result.subtype === 'success' && result.is_error) return result.result;
  if (thrown) return thrown instanceof Error ? thrown.message : String(thrown);
  return '';
}

/** Live progress while the CLI retries the model API, e.g. "Model API overloaded (529) — retrying, attempt 2 of 10 in 4 s". */
export function retryMessage({ error_status: status, attempt, max_retries: maxRetries, retry_delay_ms: delayMs }: SDKAPIRetryMessage): string {
  const what = status === 529 ? 'overloaded' : status === 429 ? 'rate limiting requests' : status !== null && status >= 500 ? 'unavailable' : status !== null ? 'refusing requests' : 'unreachable';
  return `Model API ${what}${status !== null ? ` (${status})` : ''} — retrying, attempt ${attempt} of ${maxRetries} in ${Math.max(1, Math.round(delayMs / 1000))} s`;
}

/** A usage-limit warning or refusal from the model provider, in plain words; null when all is well. */
export function rateLimitNotice({ status, resetsAt, utilization }: SDKRateLimitInfo): string | null {
  if (status === 'allowed') return null;
  const resets = resetsAt ? ` It resets at ${new Date(resetsAt * 1000).toISOString().slice(11, 16)} UTC.` : '';
  if (status === 'rejected') return `The model provider's usage limit is reached.${resets}`;
  return `The model provider's usage limit is near${utilization !== undefined ? ` (${Math.round(utilization * 100)}% used)` : ''}.${resets}`;
}

/** A run stopped by the wall-clock limit. */
export function timeLimitFailure(seconds: number): { code: string; message: string } {
  const limit = seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`;
  return { code: 'limit:run_time', message: `This run reached the time limit of ${limit} and was stopped. Send a message to carry on.` };
}
