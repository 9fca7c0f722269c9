import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastToolResults, lastUserText, splitWords, startMessagesApi, type MessagesApi, type MessagesRequest, type Reply } from './server';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed SSE payloads are inspected loosely
type SseEvent = { event: string; data: Record<string, any> };

let api: MessagesApi;
const replies: Reply[] = [];

beforeAll(async () => {
  api = await startMessagesApi({ responder: () => replies.shift() ?? { blocks: [{ type: 'text', text: 'default' }] } });
});
afterAll(() => api.close());

async function post(reply: Reply, body: Partial<MessagesRequest> = {}) {
  replies.push(reply);
  return fetch(`${api.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'demo-model', stream: true, messages: [{ role: 'user', content: 'hello' }], ...body }),
  });
}

async function events(response: Response): Promise<SseEvent[]> {
  const text = await response.text();
  expect(text.endsWith('\n\n')).toBe(true);
  return text
    .trim()
    .split('\n\n')
    .map((chunk) => {
      const [eventLine = '', dataLine = '', ...rest] = chunk.split('\n');
      expect(rest).toEqual([]);
      expect(eventLine).toMatch(/^event: /);
      expect(dataLine).toMatch(/^data: /);
      const data = JSON.parse(dataLine.slice('data: '.length));
      expect(data.type).toBe(eventLine.slice('event: '.length));
      return { event: data.type, data };
    });
}

describe('startMessagesApi', () => {
  it('streams a text reply as word deltas in a valid SSE sequence', async () => {
    const response = await post({ blocks: [{ type: 'text', text: 'Hello there, friend.' }] });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const stream = await events(response);
    const [start, blockStart, , , , , messageDelta] = stream;
    expect(stream.map((e) => e.event)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(start?.data.message).toMatchObject({ role: 'assistant', model: 'demo-model', content: [] });
    expect(blockStart?.data).toMatchObject({ index: 0, content_block: { type: 'text', text: '' } });
    const text = stream
      .filter((e) => e.event === 'content_block_delta')
      .map((e) => e.data.delta.text)
      .join('');
    expect(text).toBe('Hello there, friend.');
    expect(messageDelta?.data).toMatchObject({ delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 3 } });
  });

  it('streams text then a tool_use block, ending with stop_reason tool_use', async () => {
    const input = { file_path: 'README.md' };
    const stream = await events(
      await post({
        blocks: [
          { type: 'text_chunks', chunks: ['Let me ', 'look.'] },
          { type: 'tool_use', name: 'Read', input },
        ],
      }),
    );
    const tool = stream.find((e) => e.event === 'content_block_start' && e.data.index === 1)!;
    expect(tool.data.content_block).toMatchObject({ type: 'tool_use', name: 'Read', input: {} });
    expect(tool.data.content_block.id).toMatch(/^toolu_/);
    const json = stream.find((e) => e.data.delta?.type === 'input_json_delta')!;
    expect(json.data.index).toBe(1);
    expect(JSON.parse(json.data.delta.partial_json)).toEqual(input);
    expect(stream.filter((e) => e.event === 'content_block_stop').map((e) => e.data.index)).toEqual([0, 1]);
    expect(stream.at(-2)!.data.delta.stop_reason).toBe('tool_use');
    expect(stream.at(-1)!.event).toBe('message_stop');
  });

  it('streams thinking as thinking deltas and a signature, and redacted thinking as one block', async () => {
    const stream = await events(await post({ blocks: [{ type: 'thinking', text: 'Let me think.' }, { type: 'redacted_thinking' }, { type: 'text', text: 'Done.' }] }));
    expect(stream.find((e) => e.event === 'content_block_start' && e.data.index === 0)!.data.content_block).toEqual({ type: 'thinking', thinking: '', signature: '' });
    const deltas = stream.filter((e) => e.data.index === 0 && e.event === 'content_block_delta').map((e) => e.data.delta);
    expect(
      deltas
        .filter((d) => d.type === 'thinking_delta')
        .map((d) => d.thinking)
        .join(''),
    ).toBe('Let me think.');
    expect(deltas.at(-1)).toMatchObject({ type: 'signature_delta' });
    expect(stream.find((e) => e.event === 'content_block_start' && e.data.index === 1)!.data.content_block).toMatchObject({ type: 'redacted_thinking' });
    expect(stream.filter((e) => e.event === 'content_block_stop').map((e) => e.data.index)).toEqual([0, 1, 2]);
  });

  it('breaks a stream off with an error event where the reply says, after the blocks before it', async () => {
    const stream = await events(
      await post({
        blocks: [
          { type: 'text', text: 'Half an' },
          { type: 'stream_error', errorType: 'overloaded_error', message: 'Overloaded' },
        ],
      }),
    );
    expect(stream.at(-1)).toEqual({ event: 'error', data: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } });
    expect(stream.some((e) => e.event === 'message_stop')).toBe(false);
  });

  it('answers a request without stream: true with one JSON message', async () => {
    replies.push({ blocks: [{ type: 'text', text: 'Hi back' }] });
    const response = await fetch(`${api.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'demo-model', messages: [{ role: 'user', content: 'Hi' }] }),
    });
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'demo-model',
      content: [{ type: 'text', text: 'Hi back' }],
      stop_reason: 'end_turn',
      usage: { input_tokens: expect.any(Number) },
    });
  });

  it('gives each message its own id and records every request', async () => {
    const before = api.requests.length;
    const first = await events(await post({ blocks: [{ type: 'text', text: 'a' }] }));
    const second = await events(await post({ blocks: [{ type: 'text', text: 'b' }] }, { model: 'other' }));
    expect(first[0]?.data.message.id).not.toBe(second[0]?.data.message.id);
    expect(api.requests.slice(before).map((r) => r.model)).toEqual(['demo-model', 'other']);
  });

  it('answers an error reply with its status, a JSON error and retry-after', async () => {
    const response = await post({ error: { status: 529, type: 'overloaded_error', message: 'Overloaded', retryAfterSeconds: 3 } });
    expect(response.status).toBe(529);
    expect(response.headers.get('retry-after')).toBe('3');
    expect(await response.json()).toEqual({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });

    const noRetry = await post({ error: { status: 401, type: 'authentication_error', message: 'bad key' } });
    expect(noRetry.status).toBe(401);
    expect(noRetry.headers.get('retry-after')).toBeNull();
  });

  it('answers 404 for other paths and methods', async () => {
    const other = await fetch(`${api.url}/v1/complete`, { method: 'POST', body: '{}' });
    expect(other.status).toBe(404);
    expect(await other.json()).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
    expect((await fetch(`${api.url}/v1/messages`)).status).toBe(404);
  });

  it('accepts a query string on /v1/messages', async () => {
    replies.push({ blocks: [{ type: 'text', text: 'ok' }] });
    const response = await fetch(`${api.url}/v1/messages?beta=true`, {
      method: 'POST',
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(response.status).toBe(200);
    await response.text();
  });
});

describe('request helpers', () => {
  const request = (messages: MessagesRequest['messages']): MessagesRequest => ({ model: 'm', messages });

  it('lastUserText reads the last user message, skipping system reminders', () => {
    expect(
      lastUserText(
        request([
          { role: 'user', content: 'first' },
          { role: 'assistant', content: 'ok' },
          { role: 'user', content: 'second' },
        ]),
      ),
    ).toBe('second');
    expect(
      lastUserText(
        request([
          {
            role: 'user',
            content: [
              { type: 'text', text: '<system-reminder>ignore me</system-reminder>' },
              { type: 'text', text: 'line one' },
              { type: 'text', text: 'line two' },
            ],
          },
        ]),
      ),
    ).toBe('line one\nline two');
    expect(lastUserText(request([{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: 'x' }] }]))).toBe('');
    expect(lastUserText(request([]))).toBe('');
  });

  it('lastToolResults flattens the results of the last user message', () => {
    const results = lastToolResults(
      request([
        { role: 'user', content: [{ type: 'tool_result', content: 'old' }] },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't' }] },
        {
          role: 'user',
          content: [
            {
              type: 'tool_result',
              content: [
                { type: 'text', text: 'part 1, ' },
                { type: 'text', text: 'part 2' },
              ],
            },
            { type: 'tool_result', content: 'Blocked', is_error: true },
            { type: 'text', text: 'not a result' },
          ],
        },
      ]),
    );
    expect(results).toEqual([
      { content: 'part 1, part 2', isError: false },
      { content: 'Blocked', isError: true },
    ]);
    expect(lastToolResults(request([{ role: 'user', content: 'plain' }]))).toEqual([]);
  });

  it.each(['Hello there, friend.', '  leading and trailing  ', 'line one\nline two\n\n', 'one', '', '   '])('splitWords(%j) joins back exactly', (text) => {
    expect(splitWords(text).join('')).toBe(text);
  });

  it('splitWords makes one chunk per word', () => {
    expect(splitWords('a bb  ccc')).toEqual(['a ', 'bb  ', 'ccc']);
  });
});
