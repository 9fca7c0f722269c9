/**
 * The token usage of one Messages API answer, read from the answer as it passes through: a
 * stream's `message_start` (input, cache and the first output count) and `message_delta` (the
 * running output count), or a plain JSON body's `usage`.
 */

export type ModelUsage = {
  inputTokens: number;
  outputTokens: number;
  /** Prompt-cache writes, by how long the cache entry lives (priced differently). */
  cacheWrite5mTokens: number;
  cacheWrite1hTokens: number;
  cacheReadTokens: number;
};

export const NO_USAGE: ModelUsage = { inputTokens: 0, outputTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, cacheReadTokens: 0 };

type ApiUsage = {
  input_tokens?: number;
  output_tokens?: number;
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
  cache_creation?: { ephemeral_5m_input_tokens?: number; ephemeral_1h_input_tokens?: number };
};

/** A stream cut before its `message_delta` still produced what was streamed: ~4 characters a token. */
const CHARS_PER_TOKEN = 4;
/** What a reader keeps of a plain JSON answer; usage sits near its end, so keep the whole up to this. */
const MAX_JSON_BYTES = 8 * 1024 * 1024;

export class UsageReader {
  private usage: ModelUsage = { ...NO_USAGE };
  private pending = '';
  private json: Buffer[] = [];
  private jsonBytes = 0;
  private streamedChars = 0;
  private sawDelta = false;
  /** The type of the `error` event a stream broke off with (`overloaded_error`, …), if it did. */
  streamError: string | null = null;

  constructor(private readonly streaming: boolean) {}

  write(chunk: Buffer): void {
    if (!this.streaming) {
      if (this.jsonBytes < MAX_JSON_BYTES) this.json.push(chunk);
      this.jsonBytes += chunk.length;
      return;
    }
    this.pending += chunk.toString('utf8');
    let end: number;
    while ((end = this.pending.indexOf('\n\n')) !== -1) {
      this.readEvent(this.pending.slice(0, end));
      this.pending = this.pending.slice(end + 2);
    }
  }

  /** The usage of everything read so far (call once the answer ended or broke off). */
  result(): ModelUsage {
    if (!this.streaming && this.json.length > 0) {
      const body = parse(Buffer.concat(this.json).toString('utf8')) as { usage?: ApiUsage } | null;
      if (body?.usage) this.add(body.usage, true);
      this.json = [];
    }
    if (this.streaming && !this.sawDelta) {
      this.usage.outputTokens = Math.max(this.usage.outputTokens, Math.ceil(this.streamedChars / CHARS_PER_TOKEN));
    }
    return { ...this.usage };
  }

  private readEvent(block: string) {
    const data = block
      .split('\n')
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).trim())
      .join('');
    const event = parse(data) as {
      type?: string;
      message?: { usage?: ApiUsage };
      usage?: ApiUsage;
      delta?: { text?: string; partial_json?: string; thinking?: string };
      error?: { type?: string };
    } | null;
    if (!event) return;
    if (event.type === 'error') this.streamError = event.error?.type ?? 'api_error';
    if (event.type === 'message_start' && event.message?.usage) this.add(event.message.usage, true);
    if (event.type === 'message_delta' && event.usage) {
      this.sawDelta = true;
      this.add(event.usage, false);
    }
    if (event.type === 'content_block_delta' && event.delta) {
      this.streamedChars += (event.delta.text ?? event.delta.partial_json ?? event.delta.thinking ?? '').length;
    }
  }

  /** Counts in a later event are running totals: each replaces the one before, where present. */
  private add(usage: ApiUsage, first: boolean) {
    const u = this.usage;
    if (usage.input_tokens !== undefined && (first || usage.input_tokens > 0)) u.inputTokens = usage.input_tokens;
    if (usage.output_tokens !== undefined) u.outputTokens = usage.output_tokens;
    if (usage.cache_read_input_tokens !== undefined && (first || usage.cache_read_input_tokens > 0)) u.cacheReadTokens = usage.cache_read_input_tokens;
    const written = usage.cache_creation_input_tokens;
    if (written !== undefined && (first || written > 0)) {
      const oneHour = usage.cache_creation?.ephemeral_1h_input_tokens ?? 0;
      u.cacheWrite1hTokens = oneHour;
      u.cacheWrite5mTokens = Math.max(0, written - oneHour);
    }
  }
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
