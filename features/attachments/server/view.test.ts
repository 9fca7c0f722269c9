import { describe, expect, it } from 'vitest';
import { attachmentResponse, contentDisposition } from './view';

const stored = (mediaType: string, name = 'file') => ({
  id: 'a',
  conversationId: 'c',
  runId: null,
  name,
  mediaType,
  size: 3,
  width: null,
  height: null,
  createdAt: '',
  bytes: Buffer.from('abc'),
});

describe('serving an attachment', () => {
  it('sends the detected type: text as UTF-8 plain text, anything else as bytes', () => {
    const type = (mediaType: string) => attachmentResponse(stored(mediaType)).headers.get('content-type');
    expect([type('image/png'), type('application/pdf'), type('text/plain'), type('application/octet-stream')]).toEqual([
      'image/png',
      'application/pdf',
      'text/plain; charset=utf-8',
      'application/octet-stream',
    ]);
  });

  it('shows images and PDFs inline and saves the rest, never sniffed, sandboxed, cached privately for good', async () => {
    const image = attachmentResponse(stored('image/png', 'shot.png'));
    expect(Object.fromEntries(image.headers)).toMatchObject({
      'content-disposition': `inline; filename="shot.png"; filename*=UTF-8''shot.png`,
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; sandbox",
      'cache-control': 'private, max-age=31536000, immutable',
      'cross-origin-resource-policy': 'same-origin',
    });
    expect(await image.text()).toBe('abc');
    expect(attachmentResponse(stored('application/pdf')).headers.get('content-disposition')).toMatch(/^inline;/);
    expect(attachmentResponse(stored('text/plain')).headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(attachmentResponse(stored('application/octet-stream')).headers.get('content-disposition')).toMatch(/^attachment;/);
  });

  it('names the file safely in Content-Disposition, the real name percent-encoded', () => {
    expect(contentDisposition('attachment', 'a "quoted"; name\\ 100% 報告.txt')).toBe(
      `attachment; filename="a _quoted_; name_ 100_ __.txt"; filename*=UTF-8''a%20%22quoted%22%3B%20name%5C%20100%25%20%E5%A0%B1%E5%91%8A.txt`,
    );
    expect(contentDisposition('inline', "it's (1)*.png")).toBe(`inline; filename="it's (1)*.png"; filename*=UTF-8''it%27s%20%281%29%2A.png`);
  });
});
