import 'server-only';
import { query, type Options, type Query, type SDKMessage, type SDKResultMessage, type SDKUserMessage } from '@anthropic-ai/claude-agent-sdk';

/**
 * One CLI child for one conversation, in the SDK's streaming-input mode: the prompt is an
 * async queue, so the process stays alive between turns and a follow-up message skips the
 * CLI start-up (~0.5–0.8 CPU-s). `key` says what it was started with (model, mode, tools):
 * a follow-up with other settings needs a fresh process.
 */
export class AgentProcess {
  readonly query: Query;
  busy = false;
  idleTimer: NodeJS.Timeout | undefined;
  private readonly inbox = new Inbox<SDKUserMessage>();
  private readonly messages: AsyncIterator<SDKMessage>;
  private turns = 0;
  private spentUsd = 0;

  constructor(
    readonly conversationId: string,
    readonly key: string,
    options: Options,
  ) {
    this.query = query({ prompt: this.inbox, options });
    this.messages = this.query[Symbol.asyncIterator]();
  }

  /** True until its first turn: the turn that pays the start-up (and may find the session gone). */
  get cold(): boolean {
    return this.turns === 0;
  }

  /**
   * Sends one prompt and hands every message of that turn to `onMessage`; resolves with the
   * turn's result and its own cost (the result's `total_cost_usd` adds up over the process's
   * turns). Throws when the process ended (after an error result the SDK's iterator throws).
   */
  async turn(prompt: string, onMessage: (message: SDKMessage) => Promise<void>): Promise<{ result: SDKResultMessage; costUsd: number }> {
    this.turns += 1;
    this.inbox.push({ type: 'user', message: { role: 'user', content: prompt }, parent_tool_use_id: null });
    for (;;) {
      const { value, done } = await this.messages.next();
      if (done) throw new Error('The agent process ended unexpectedly.');
      if (value.type === 'result') {
        const costUsd = value.total_cost_usd - this.spentUsd;
        this.spentUsd = value.total_cost_usd;
        return { result: value, costUsd };
      }
      await onMessage(value);
    }
  }

  close(): void {
    clearTimeout(this.idleTimer);
    this.inbox.end();
    this.query.close();
  }
}

/** An async iterable fed by push(); ends when end() is called. */
class Inbox<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private wake: (() => void) | undefined;
  private ended = false;

  push(item: T) {
    this.items.push(item);
    this.wake?.();
  }

  end() {
    this.ended = true;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      const item = this.items.shift();
      if (item !== undefined) {
        yield item;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }
}
