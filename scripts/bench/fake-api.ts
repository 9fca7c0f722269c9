import { performance } from 'node:perf_hooks';
import { lastToolResults, lastUserText, startMessagesApi, type MessagesRequest, type Reply } from '@/lib/messages-api/server';

/**
 * The scripted Messages API both benchmarks talk to, in the bench process. A prompt is
 * registered with the reply it gets; unknown prompts (anything else the CLI may ask) get "ok".
 */
export type BenchApi = {
  url: string;
  /** Every request body received, in order. */
  requests: MessagesRequest[];
  /**
   * Registers a reply of `count` deltas `d0 `, `d1 `, …; returns when each was written (performance.now()).
   * With `gate`, the request waits (headers unsent) until the promise resolves.
   */
  streamDeltas: (prompt: string, options: { count: number; delayMs: number; gate?: Promise<void> }) => number[];
  replyText: (prompt: string, text: string) => void;
  /** Registers a tool call as the reply (what comes after its result is the default "ok"). */
  replyToolUse: (prompt: string, name: string, input: Record<string, unknown>) => void;
  /** Registers a turn that works: it thinks, calls a tool, and answers `text` once the result is in. */
  replyWithWork: (prompt: string, work: { thinking: string; tool: { name: string; input: Record<string, unknown> }; text: string }) => void;
  /** When the last request for a registered prompt arrived (performance.now()), if one did. */
  requestedAt: (prompt: string) => number | undefined;
  close: () => Promise<void>;
};

export async function startBenchApi(): Promise<BenchApi> {
  const replies = new Map<string, (request: MessagesRequest) => Reply | Promise<Reply>>();
  const arrivals = new Map<string, number>();
  const api = await startMessagesApi({
    responder: (request) => {
      const now = performance.now();
      const prompt = lastUserText(request);
      const match = [...replies.keys()].find((key) => prompt.includes(key));
      if (!match) return { blocks: [{ type: 'text', text: 'ok' }] };
      arrivals.set(match, now);
      return replies.get(match)!(request);
    },
  });
  return {
    url: api.url,
    requests: api.requests,
    streamDeltas(prompt, { count, delayMs, gate }) {
      const writtenAt: number[] = [];
      // The fake server iterates `chunks` and writes each one synchronously before asking for
      // the next, so the generator resumes right after chunk i hit the socket: stamp it there.
      // (The type says string[]; any iterable of strings works with the server's for…of.)
      const reply = (): Reply => ({ delayMs, blocks: [{ type: 'text_chunks', chunks: taggedChunks(count, writtenAt) as unknown as string[] }] });
      replies.set(prompt, gate ? () => gate.then(reply) : reply);
      return writtenAt;
    },
    replyText(prompt, text) {
      replies.set(prompt, () => ({ blocks: [{ type: 'text', text }] }));
    },
    replyToolUse(prompt, name, input) {
      replies.set(prompt, () => ({ blocks: [{ type: 'tool_use', name, input }] }));
    },
    replyWithWork(prompt, { thinking, tool, text }) {
      replies.set(prompt, (request) =>
        lastToolResults(request).length > 0
          ? { blocks: [{ type: 'text', text }] }
          : {
              blocks: [
                { type: 'thinking', text: thinking },
                { type: 'tool_use', name: tool.name, input: tool.input },
              ],
            },
      );
    },
    requestedAt: (prompt) => arrivals.get(prompt),
    close: api.close,
  };
}

function* taggedChunks(count: number, writtenAt: number[]): Generator<string> {
  for (let index = 0; index < count; index++) {
    yield `d${index} `;
    writtenAt[index] = performance.now();
  }
}
