/**
 * An attachment's kind comes from its bytes: real images with the size their header gives, PDFs,
 * UTF-8 text, and anything else as a plain file; a file that claims to be an image or a PDF and
 * isn't is refused, whatever its name or declared type.
 */
import { describe, expect, it } from 'vitest';
import { AppError } from '@/lib/errors';
import { executable, gif1x1, gif3x2, jpeg5x3, jpegProgressive6x4, jpegWithExif, pdf, png, webpExtended3x8, webpLossless9x4, webpLossy7x5 } from '@/tests/fixtures/attachment-files';
import { MAX_INLINE_TEXT_BYTES } from '../limits';
import { classifyAttachment, kindOf } from './classify';

const classify = (bytes: Buffer, name = 'file', declaredType: string | null = null) => classifyAttachment({ bytes, name, declaredType });

function refusal(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected a refusal');
}

describe('images', () => {
  it.each([
    ['PNG', png(640, 480), 'image/png', 640, 480],
    ['GIF', gif1x1, 'image/gif', 1, 1],
    ['GIF (little-endian size)', gif3x2, 'image/gif', 3, 2],
    ['baseline JPEG', jpeg5x3, 'image/jpeg', 5, 3],
    ['progressive JPEG', jpegProgressive6x4, 'image/jpeg', 6, 4],
    ['JPEG with Exif and fill bytes', jpegWithExif(), 'image/jpeg', 5, 3],
    ['lossy WebP', webpLossy7x5, 'image/webp', 7, 5],
    ['lossless WebP', webpLossless9x4, 'image/webp', 9, 4],
    ['extended WebP (alpha)', webpExtended3x8, 'image/webp', 3, 8],
  ])('a %s is an image of its size', (_, bytes, mediaType, width, height) => {
    expect(classify(bytes, 'picture', 'image/png')).toEqual({ kind: 'image', mediaType, width, height });
  });

  it('takes the type from the bytes, not the name or the declared type', () => {
    expect(classify(jpeg5x3, 'screenshot.png', 'image/png')).toMatchObject({ kind: 'image', mediaType: 'image/jpeg' });
    expect(classify(png(2, 2), 'notes.txt', 'text/plain')).toMatchObject({ kind: 'image', mediaType: 'image/png' });
  });

  it('refuses an executable renamed .png, or declared an image, with 415', () => {
    for (const [name, declared] of [
      ['cat.png', 'image/png'],
      ['cat.png', 'application/octet-stream'],
      ['cat', 'image/jpeg'],
      ['CAT.JPG', null],
      ['cat.webp', ''],
    ] as const) {
      const error = refusal(() => classify(executable(), name, declared));
      expect(error).toMatchObject({ code: 'unsupported_media_type:not_an_image', status: 415 });
      expect(error.message).toContain(name);
    }
    // Named as what it is, it is just a file.
    expect(classify(executable(), 'tool', 'application/octet-stream')).toEqual({ kind: 'other', mediaType: 'application/octet-stream', width: null, height: null });
  });

  it('refuses an image whose header is cut short or says 0, whatever it is called', () => {
    for (const bytes of [png(4, 2).subarray(0, 20), png(0, 3), jpeg5x3.subarray(0, 100), gif1x1.subarray(0, 8), webpLossy7x5.subarray(0, 24)]) {
      expect(refusal(() => classify(bytes, 'data.bin')).code).toBe('unsupported_media_type:not_an_image');
    }
  });

  it('refuses an image longer than the model takes on a side with 413', () => {
    const error = refusal(() => classify(png(9000, 1), 'panorama.png'));
    expect(error).toMatchObject({ code: 'payload_too_large:image_dimensions', status: 413 });
    expect(error.message).toContain('9000×1');
    expect(classify(png(8000, 1))).toMatchObject({ width: 8000 });
  });
});

describe('PDFs', () => {
  it('are PDFs by their %PDF- signature', () => {
    expect(classify(pdf(), 'spec', 'application/octet-stream')).toEqual({ kind: 'pdf', mediaType: 'application/pdf', width: null, height: null });
  });

  it('refuses what claims to be a PDF and is not, with 415', () => {
    expect(refusal(() => classify(Buffer.from('hello'), 'spec.pdf')).code).toBe('unsupported_media_type:not_a_pdf');
    expect(refusal(() => classify(executable(), 'spec', 'application/pdf; charset=binary')).code).toBe('unsupported_media_type:not_a_pdf');
  });
});

describe('text and other files', () => {
  it('text is valid UTF-8 without NUL, under the inline cap, whatever its name', () => {
    const text = { kind: 'text', mediaType: 'text/plain', width: null, height: null };
    expect(classify(Buffer.from('2026-12-03 ERROR ünïcödé 🙂\n'), 'server.log', 'application/octet-stream')).toEqual(text);
    expect(classify(Buffer.from('{"a":1}'), 'data.json', 'application/json')).toEqual(text);
    expect(classify(Buffer.alloc(MAX_INLINE_TEXT_BYTES, 'a'), 'big.txt')).toEqual(text);
  });

  it('binary, invalid UTF-8 and text over the cap are other files', () => {
    const other = { kind: 'other', mediaType: 'application/octet-stream', width: null, height: null };
    expect(classify(Buffer.from('abc\0def'), 'notes.txt', 'text/plain')).toEqual(other);
    expect(classify(Buffer.from([0x63, 0x61, 0x66, 0xe9]), 'latin1.txt')).toEqual(other); // "café" in Latin-1
    expect(classify(Buffer.from([0xed, 0xa0, 0x80]), 'surrogate.txt')).toEqual(other);
    expect(classify(Buffer.alloc(MAX_INLINE_TEXT_BYTES + 1, 'a'), 'huge.log')).toEqual(other);
    expect(classify(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00]), 'archive.zip', 'application/zip')).toEqual(other); // a zip's local header
  });

  it('refuses an empty file with 400', () => {
    expect(refusal(() => classify(Buffer.alloc(0), 'empty.txt'))).toMatchObject({ code: 'bad_request:attachment_empty', status: 400 });
  });
});

it('each stored media type names its kind', () => {
  expect(['image/png', 'image/webp', 'application/pdf', 'text/plain', 'application/octet-stream'].map(kindOf)).toEqual(['image', 'image', 'pdf', 'text', 'other']);
});
