import 'server-only';
import type { SDKResultMessage } from '@anthropic-ai/claude-agent-sdk';

type Outcome = { result: SDKResultMessage | undefined; thrown: unknown };

const MISSING_SESSION = 'No conversation found with session ID';

/** The CLI could not resume: the transcript behind the mapped session id is gone. */
export function isMissingSession({ result, thrown }: Outcome): boolean {
  return failureText({ result, thrown }).includes(MISSING_SESSION);
}

/** A model-side failure as a short message for the conversation, with a code per kind. */
export function describeFailure(outcome: Outcome): { code: string; message: string } {
  const text = failureText(outcome).replace(/^(Error: )?Claude Code returned an error result: /, '').trim();
  const status = Number(text.match(/API Error: (?:Request rejected \()?(\d{3})/)?.[1]);
  if (status === 401 || status === 403 || /authenticat|api key/i.test(text)) {
    return { code: 'model:auth', message: `The model API refused the credentials (${text}). Check ANTHROPIC_API_KEY.` };
  }
  if (status === 429) return { code: 'model:rate_limited', message: `The model API is rate limiting requests (${text}). Try again in a minute.` };
  if (status >= 500) return { code: 'model:unavailable', message: `The model API is unavailable (${text}).` };
  return { code: 'model:error', message: text || 'The agent stopped with an error.' };
}

function failureText({ result, thrown }: Outcome): string {
  if (result && result.subtype !== 'success' && result.errors.length > 0) return result.errors.join('; ');
  if (result && result.subtype === 'success' && result.is_error) return result.result;
  if (thrown) return thrown instanceof Error ? thrown.message : String(thrown);
  return '';
}
