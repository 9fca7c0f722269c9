import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small Messages-API-compatible server (`POST /v1/messages`, streaming SSE only, and
 * `POST /v1/messages/count_tokens`).
 * The Claude Code CLI talks to it exactly as it talks to the real API, which makes it the
 * offline demo model and the scripted model of every agent test.
 */

export type ContentBlock = { type: string; text?: string; content?: unknown; is_error?: boolean; [key: string]: unknown };
export type MessagesRequest = {
  model: string;
  messages: Array<{ role: 'user' | 'assistant'; content: string | ContentBlock[] }>;
  system?: unknown;
  stream?: boolean;
  tools?: Array<{ name: string }>;
};

export type ReplyBlock =
  | { type: 'text'; text: string }
  /** Text already split into the deltas to stream, one per SSE event. */
  | { type: 'text_chunks'; chunks: string[] }
  | { type: 'tool_use'; name: string; input: Record<string, unknown> }
  /** Extended thinking, streamed as thinking deltas (then its signature). */
  | { type: 'thinking'; text: string }
  /** Thinking the provider encrypted: one block with no text. */
  | { type: 'redacted_thinking' }
  /** An `error` event mid-stream (after the blocks before it), as the API sends when it is overloaded while answering. */
  | { type: 'stream_error'; errorType: string; message: string };

export type Reply = { blocks: ReplyBlock[]; delayMs?: number } | { error: { status: number; type: string; message: string; retryAfterSeconds?: number } };

export type Responder = (request: MessagesRequest) => Reply | Promise<Reply>;

export type MessagesApi = {
  url: string;
  /** Every request body received, in order. */
  requests: MessagesRequest[];
  /** The `x-api-key` each of those requests carried. */
  apiKeys: Array<string | undefined>;
  /** The usage each answer reported, in the order of `requests` (what a door meters). */
  usages: Array<{ model: string; inputTokens: number; outputTokens: number }>;
  /** Every request that arrived, on any path (`POST /v1/messages`, `GET /v1/models`, …). */
  calls: string[];
  close: () => Promise<void>;
};

/** Text of the last user message that is not only tool results ('' when the last turn is a tool result). */
export function lastUserText(request: MessagesRequest): string {
  const last = request.messages.findLast((message) => message.role === 'user');
  if (!last) return '';
  if (typeof last.content === 'string') return last.content;
  return last.content
    .filter((block) => block.type === 'text' && !String(block.text).startsWith('<system-reminder>'))
    .map((block) => block.text)
    .join('\n');
}

/** Tool results carried by the last user message (the answer to the previous tool_use). */
export function lastToolResults(request: MessagesRequest): Array<{ content: string; isError: boolean }> {
  const last = request.messages.findLast((message) => message.role === 'user');
  if (!last || typeof last.content === 'string') return [];
  return last.content.filter((block) => block.type === 'tool_result').map((block) => ({ content: flatten(block.content), isError: block.is_error === true }));
}

function flatten(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((part) => (part as ContentBlock).text ?? '').join('');
  return '';
}

export async function startMessagesApi({ responder, port = 0 }: { responder: Responder; port?: number }): Promise<MessagesApi> {
  const requests: MessagesRequest[] = [];
  const apiKeys: Array<string | undefined> = [];
  const usages: MessagesApi['usages'] = [];
  const calls: string[] = [];
  let nextId = 0;
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'api_error', message: String(error) } }));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const path = (req.url ?? '').split('?')[0];
    calls.push(`${req.method} ${path}`);
    if (req.method === 'POST' && path === '/v1/messages/count_tokens') {
      const body = JSON.parse(await readBody(req)) as MessagesRequest;
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ input_tokens: estimateTokens(body) }));
    }
    if (req.method !== 'POST' || path !== '/v1/messages') {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: `No route ${path}` } }));
      return;
    }
    const body = JSON.parse(await readBody(req)) as MessagesRequest;
    requests.push(body);
    apiKeys.push(req.headers['x-api-key'] as string | undefined);
    const reply = await responder(body);
    if ('error' in reply) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (reply.error.retryAfterSeconds !== undefined) headers['retry-after'] = String(reply.error.retryAfterSeconds);
      res.writeHead(reply.error.status, headers);
      res.end(JSON.stringify({ type: 'error', error: { type: reply.error.type, message: reply.error.message } }));
      return;
    }
    if (body.stream !== true) return void answerWhole(res, body, reply.blocks, `msg_${++nextId}`, usages);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    let closed = false;
    res.on('close', () => (closed = true));
    const send = (event: string, data: unknown) => {
      if (!closed) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    const pause = () => (reply.delayMs ? new Promise((resolve) => setTimeout(resolve, reply.delayMs)) : Promise.resolve());

    const messageId = `msg_${++nextId}`;
    const usage = { model: body.model, inputTokens: estimateTokens(body), outputTokens: 0 };
    usages.push(usage);
    send('message_start', {
      type: 'message_start',
      message: {
        id: messageId,
        type: 'message',
        role: 'assistant',
        model: body.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: usage.inputTokens, output_tokens: 1 },
      },
    });
    let outputTokens = 0;
    for (const [index, block] of reply.blocks.entries()) {
      if (block.type === 'stream_error') {
        send('error', { type: 'error', error: { type: block.errorType, message: block.message } });
        return void res.end();
      }
      if (block.type === 'redacted_thinking') {
        send('content_block_start', { type: 'content_block_start', index, content_block: { type: 'redacted_thinking', data: 'RWFzdGVyIGVnZw==' } });
      } else if (block.type === 'thinking') {
        send('content_block_start', { type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } });
        for (const chunk of splitWords(block.text)) {
          await pause();
          if (closed) return;
          send('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: chunk } });
          outputTokens += 1;
        }
        send('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: 'c2lnbmVk' } });
      } else if (block.type === 'tool_use') {
        send('content_block_start', { type: 'content_block_start', index, content_block: { type: 'tool_use', id: `toolu_${messageId}_${index}`, name: block.name, input: {} } });
        send('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) } });
        outputTokens += 10;
      } else {
        const chunks = block.type === 'text' ? splitWords(block.text) : block.chunks;
        send('content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
        for (const chunk of chunks) {
          await pause();
          if (closed) return;
          send('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: chunk } });
          outputTokens += 1;
        }
      }
      send('content_block_stop', { type: 'content_block_stop', index });
    }
    const toolCall = reply.blocks.some((block) => block.type === 'tool_use');
    usage.outputTokens = outputTokens;
    send('message_delta', { type: 'message_delta', delta: { stop_reason: toolCall ? 'tool_use' : 'end_turn', stop_sequence: null }, usage: { output_tokens: outputTokens } });
    send('message_stop', { type: 'message_stop' });
    res.end();
  }

  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: boundPort } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${boundPort}`,
    requests,
    apiKeys,
    usages,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A request without `stream: true` (the CLI checks a model it switches to this way): the answer as one JSON message. */
function answerWhole(res: ServerResponse, body: MessagesRequest, blocks: ReplyBlock[], id: string, usages: MessagesApi['usages']) {
  const content = blocks.flatMap((block, index): ContentBlock[] => {
    if (block.type === 'text') return [{ type: 'text', text: block.text }];
    if (block.type === 'text_chunks') return [{ type: 'text', text: block.chunks.join('') }];
    if (block.type === 'tool_use') return [{ type: 'tool_use', id: `toolu_${id}_${index}`, name: block.name, input: block.input }];
    return [];
  });
  const usage = { model: body.model, inputTokens: estimateTokens(body), outputTokens: 1 };
  usages.push(usage);
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      id,
      type: 'message',
      role: 'assistant',
      model: body.model,
      content,
      stop_reason: content.some((block) => block.type === 'tool_use') ? 'tool_use' : 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: usage.inputTokens, output_tokens: usage.outputTokens },
    }),
  );
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Splits text into word-sized deltas, keeping the whitespace so the deltas join back exactly. */
export function splitWords(text: string): string[] {
  return text.match(/\s*\S+\s*/g) ?? [text];
}

function estimateTokens(request: MessagesRequest): number {
  return Math.ceil(JSON.stringify(request.messages).length / 4);
}
