import { performance } from 'node:perf_hooks';
import { lastUserText, startMessagesApi, type MessagesRequest, type Reply } from '@/lib/messages-api/server';

/**
 * The scripted Messages API both benchmarks talk to, in the bench process. A prompt is
 * registered with the reply it gets; unknown prompts (anything else the CLI may ask) get "ok".
 */
export type BenchApi = {
  url: string;
  /** Every request body received, in order. */
  requests: MessagesRequest[];
  /** Registers a reply of `count` deltas `d0 `, `d1 `, …; returns when each was written (performance.now()). */
  streamDeltas: (prompt: string, options: { count: number; delayMs: number }) => number[];
  replyText: (prompt: string, text: string) => void;
  close: () => Promise<void>;
};

export async function startBenchApi(): Promise<BenchApi> {
  const replies = new Map<string, () => Reply>();
  const api = await startMessagesApi({
    responder: (request) => {
      const prompt = lastUserText(request);
      const match = [...replies.keys()].find((key) => prompt.includes(key));
      return match ? replies.get(match)!() : { blocks: [{ type: 'text', text: 'ok' }] };
    },
  });
  return {
    url: api.url,
    requests: api.requests,
    streamDeltas(prompt, { count, delayMs }) {
      const writtenAt: number[] = [];
      // The fake server iterates `chunks` and writes each one synchronously before asking for
      // the next, so the generator resumes right after chunk i hit the socket: stamp it there.
      // (The type says string[]; any iterable of strings works with the server's for…of.)
      replies.set(prompt, () => ({ delayMs, blocks: [{ type: 'text_chunks', chunks: taggedChunks(count, writtenAt) as unknown as string[] }] }));
      return writtenAt;
    },
    replyText(prompt, text) {
      replies.set(prompt, () => ({ blocks: [{ type: 'text', text }] }));
    },
    close: api.close,
  };
}

function* taggedChunks(count: number, writtenAt: number[]): Generator<string> {
  for (let index = 0; index < count; index++) {
    yield `d${index} `;
    writtenAt[index] = performance.now();
  }
}

/** Indices of the `dN ` tags in a piece of streamed text (a delta carries one; merged text may carry several). */
export function deltaIndices(text: string): number[] {
  return [...text.matchAll(/d(\d+) /g)].map((match) => Number(match[1]));
}
