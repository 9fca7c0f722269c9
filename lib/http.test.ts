import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { AppError } from './errors';
import { errorResponse, MAX_JSON_BODY_BYTES, readBytes, readJson } from './http';

const schema = z.object({ text: z.string().min(1), count: z.number().int().optional() });

function post(body: BodyInit, headers: Record<string, string> = { 'content-type': 'application/json' }) {
  const stream = body instanceof ReadableStream;
  return new Request('http://demo.localhost/api/x', { method: 'POST', headers, body, ...(stream ? { duplex: 'half' } : {}) } as RequestInit);
}

function streamOf(text: string) {
  const bytes = new TextEncoder().encode(text);
  return new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < bytes.length; i += 8192) controller.enqueue(bytes.subarray(i, i + 8192));
      controller.close();
    },
  });
}

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

const oversized = JSON.stringify({ text: 'x'.repeat(MAX_JSON_BODY_BYTES) });

describe('readJson', () => {
  it('returns the parsed, validated body', async () => {
    await expect(readJson(post('{"text":"hi","count":2}'), schema)).resolves.toEqual({ text: 'hi', count: 2 });
    const charset = post('{"text":"hi"}', { 'content-type': 'Application/JSON; charset=utf-8' });
    await expect(readJson(charset, schema)).resolves.toEqual({ text: 'hi' });
  });

  it.each<Record<string, string>>([{}, { 'content-type': 'text/plain' }, { 'content-type': 'application/x-www-form-urlencoded' }])('rejects content-type %j with 415', async (headers) => {
    const error = await rejection(readJson(post('{"text":"hi"}', headers), schema));
    expect(error).toMatchObject({ code: 'unsupported_media_type', status: 415 });
  });

  it('rejects a declared content-length over the cap with 413 before reading', async () => {
    const req = post('{"text":"hi"}', { 'content-type': 'application/json', 'content-length': String(MAX_JSON_BODY_BYTES + 1) });
    const error = await rejection(readJson(req, schema));
    expect(error).toMatchObject({ code: 'payload_too_large', status: 413 });
    expect(req.bodyUsed).toBe(false);
  });

  it('rejects an oversized body that declares no length, or a false one, with 413', async () => {
    const noLength = await rejection(readJson(post(streamOf(oversized)), schema));
    expect(noLength.status).toBe(413);
    const lying = await rejection(readJson(post(oversized, { 'content-type': 'application/json', 'content-length': '10' }), schema));
    expect(lying.status).toBe(413);
  });

  it('counts bytes, not characters', async () => {
    const body = JSON.stringify({ text: 'é'.repeat(40) });
    await expect(readJson(post(body), schema, 60)).rejects.toMatchObject({ status: 413 });
    await expect(readJson(post(body), schema, 100)).resolves.toEqual({ text: 'é'.repeat(40) });
  });

  it('rejects a body whose upload breaks off with 400, not 500', async () => {
    const broken = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"text":'));
        controller.error(new Error('aborted'));
      },
    });
    const error = await rejection(readJson(post(broken), schema));
    expect(error).toMatchObject({ code: 'bad_request:body_incomplete', status: 400 });
  });

  it('rejects invalid JSON with 400 bad_request:invalid_json', async () => {
    const error = await rejection(readJson(post('{"text":'), schema));
    expect(error).toMatchObject({ code: 'bad_request:invalid_json', status: 400 });
  });

  it('rejects a body that fails the schema with 400 naming the field', async () => {
    const error = await rejection(readJson(post('{"text":"hi","count":1.5}'), schema));
    expect(error).toMatchObject({ code: 'bad_request:invalid_body', status: 400 });
    expect(error.message).toMatch(/^count: /);
    const missing = await rejection(readJson(post('{}'), schema));
    expect(missing.message).toMatch(/^text: /);
  });
});

describe('readBytes', () => {
  const bytes = Uint8Array.from({ length: 300 }, (_, i) => i % 256);

  it('returns the body byte for byte, an empty one too', async () => {
    expect((await readBytes(post(bytes, {}), { maxBytes: 300 })).equals(Buffer.from(bytes))).toBe(true);
    expect((await readBytes(new Request('http://demo.localhost/api/x', { method: 'POST' }), { maxBytes: 10 })).byteLength).toBe(0);
  });

  it('refuses past the cap with the error it is given, declared or not', async () => {
    const tooLarge = () => new AppError('payload_too_large', 'That file is too large.');
    expect(await rejection(readBytes(post(bytes, {}), { maxBytes: 299, tooLarge }))).toMatchObject({ status: 413, message: 'That file is too large.' });
    expect(await rejection(readBytes(post(bytes, { 'content-length': '10' }), { maxBytes: 299 }))).toMatchObject({ status: 413 });
  });

  it('gives nothing back from an upload that breaks off (400)', async () => {
    const broken = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.subarray(0, 100));
        controller.error(new Error('socket hang up'));
      },
    });
    expect(await rejection(readBytes(post(broken, {}), { maxBytes: 1000 }))).toMatchObject({ code: 'bad_request:body_incomplete', status: 400 });
  });
});

describe('errorResponse', () => {
  afterEach(() => vi.restoreAllMocks());

  it('maps an AppError to its status and { error: { code, message } }', async () => {
    const response = errorResponse(new AppError('not_found:conversation', 'No such conversation.'));
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: 'not_found:conversation', message: 'No such conversation.' } });
    expect(errorResponse(new AppError('conflict:run_active', 'busy')).status).toBe(409);
  });

  it('turns any other error into a generic 500 that leaks nothing, and logs it', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockReturnValue(true);
    const response = errorResponse(new Error('connect ECONNREFUSED 10.0.0.5:5432 password=hunter2'));
    expect(response.status).toBe(500);
    const body = await response.json();
    expect(body).toEqual({ error: { code: 'internal', message: 'Something went wrong on our side.' } });
    expect(JSON.stringify(body)).not.toMatch(/ECONNREFUSED|hunter2/);
    expect(String(stderr.mock.calls[0]?.[0])).toMatch(/unhandled error in route/);
  });
});
