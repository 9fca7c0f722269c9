import 'server-only';
import type { EventEmitter } from 'node:events';
import { query, type Options, type Query, type SDKMessage, type SDKResultMessage, type SDKUserMessage, type SpawnedProcess, type SpawnOptions } from '@anthropic-ai/claude-agent-sdk';
import type { ModelDoor } from '@/features/sandbox/server';

/**
 * What a turn sends the agent: the visitor's text, or content blocks (a message with attachments:
 * images, documents, texts, then the text), as the SDK's user message carries either.
 */
export type AgentPrompt = SDKUserMessage['message']['content'];
/** One content block of a prompt (text, image, document, …). */
export type AgentPromptBlock = Exclude<AgentPrompt, string>[number];

/**
 * One CLI child for one conversation, in the SDK's streaming-input mode: the prompt is an
 * async queue, so the process stays alive between turns and a follow-up message skips the
 * CLI start-up (~0.5–0.8 CPU-s). `key` says what it was started with (mode, tools): a follow-up
 * with other settings needs a fresh process. The model is not in it: a warm process switches.
 */
export class AgentProcess {
  readonly query: Query;
  busy = false;
  idleTimer: NodeJS.Timeout | undefined;
  private readonly inbox = new Inbox<SDKUserMessage>();
  private readonly messages: AsyncIterator<SDKMessage>;
  private turns = 0;
  /** How the CLI child ended (killed, out of memory, crashed), once it has; null while it runs. */
  exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private child: SpawnedProcess | undefined;
  private markEnded: () => void = () => {};
  /** Settles when the CLI child has exited. */
  readonly ended = new Promise<void>((resolve) => (this.markEnded = resolve));

  /** The model its turns use now (the one it started with, or the one it was switched to). */
  model: string;

  /**
   * A pre-warmed spare (features/agents/server/agent-spares.ts): started for no conversation yet,
   * under an id of its own, until `adopt` gives it the one conversation it will ever serve.
   */
  spare = false;

  constructor(
    private owner: string,
    readonly key: string,
    options: Options,
    /** The process's way to the model API (its spawner's bridge): open only while a run is active. */
    readonly door: ModelDoor,
  ) {
    // The spawner (sandboxed or not, both behind the door) tells us when the child dies: a warm
    // process that died while idle must not be handed the next message.
    const start = options.spawnClaudeCodeProcess;
    if (!start) throw new Error('Agent processes start through a spawner that puts them behind the model door.');
    const spawnClaudeCodeProcess = (spawnOptions: SpawnOptions): SpawnedProcess => {
      const child = (this.child = start(spawnOptions));
      // The SDK, the sandbox and this class each watch the child's exit (a resume from the
      // transcript store adds two more): a fixed number per process, above Node's warning at 10.
      (child as unknown as EventEmitter).setMaxListeners?.(20);
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        this.markEnded();
      });
      return child;
    };
    this.model = options.model ?? '';
    this.query = query({ prompt: this.inbox, options: { ...options, spawnClaudeCodeProcess } });
    this.messages = this.query[Symbol.asyncIterator]();
  }

  /** The conversation this process serves (a spare's own id until it is adopted). */
  get conversationId(): string {
    return this.owner;
  }

  /** A spare becomes `conversationId`'s process, for good: it is never handed to another one. */
  adopt(conversationId: string): void {
    if (!this.spare) throw new Error('Only a spare agent process can be adopted by a conversation.');
    this.spare = false;
    this.owner = conversationId;
  }

  get alive(): boolean {
    return this.exit === null;
  }

  /** How the child ended, if it ends within `ms` (or already has); null if it is still running. */
  async exited(ms: number): Promise<AgentProcess['exit']> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.ended, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
    return this.exit;
  }

  /** True until its first turn: the turn that pays the start-up (and may find the session gone). */
  get cold(): boolean {
    return this.turns === 0;
  }

  /**
   * Sends one prompt (text or content blocks, alike on a cold process and a warm one) and hands
   * every message of that turn to `onMessage`; resolves with the turn's result. Throws when the
   * process ended (after an error result the SDK's iterator throws).
   */
  async turn(prompt: AgentPrompt, onMessage: (message: SDKMessage) => Promise<void>): Promise<SDKResultMessage> {
    this.turns += 1;
    this.inbox.push({ type: 'user', message: { role: 'user', content: prompt }, parent_tool_use_id: null });
    for (;;) {
      const { value, done } = await this.messages.next();
      if (done) throw new Error('The agent process ended unexpectedly.');
      if (value.type === 'result') return value;
      await onMessage(value);
    }
  }

  /** The next turns use `model`: the CLI switches in place (no new process, the session stays warm). */
  async useModel(model: string): Promise<void> {
    if (model === this.model) return;
    await this.query.setModel(model);
    this.model = model;
  }

  /** The child's pid (in the sandbox: the sandbox's, whose death takes the CLI with it). */
  get pid(): number | undefined {
    return (this.child as { pid?: number } | undefined)?.pid;
  }

  /** Ends the child at once, mid-turn too (close() lets the CLI finish what it is doing first). */
  kill(): void {
    this.child?.kill('SIGKILL');
    this.close();
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
