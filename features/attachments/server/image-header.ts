import 'server-only';

/**
 * Which of the four image formats the model takes a file is, by its signature, and its size in
 * pixels from its header. A small reader of our own rather than a library: the four headers are
 * fixed, documented layouts (a few bytes each), the image libraries on npm read dozens of formats
 * we would then have to refuse, and sharp, which decodes, is native code. Nothing here decodes
 * pixels, so a hostile file costs a few byte reads.
 */

export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'webp';
export type ImageSize = { width: number; height: number };

export const IMAGE_MEDIA_TYPES: Record<ImageFormat, string> = { png: 'image/png', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp' };

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

const startsWith = (bytes: Uint8Array, prefix: ArrayLike<number>, at = 0) =>
  bytes.length >= at + prefix.length && Array.prototype.every.call(prefix, (byte: number, i: number) => bytes[at + i] === byte);
const ascii = (text: string) => Array.from(text, (char) => char.charCodeAt(0));

/** The format the file's first bytes announce, or null for none of the four. */
export function imageFormatOf(bytes: Uint8Array): ImageFormat | null {
  if (startsWith(bytes, PNG_SIGNATURE)) return 'png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, ascii('GIF87a')) || startsWith(bytes, ascii('GIF89a'))) return 'gif';
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'webp';
  return null;
}

/** The image's size from its header, or null when the header is missing, cut short or says 0. */
export function imageSize(format: ImageFormat, bytes: Uint8Array): ImageSize | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = readers[format](view, bytes);
  return size && size.width > 0 && size.height > 0 ? size : null;
}

type Reader = (view: DataView, bytes: Uint8Array) => ImageSize | null;

const readers: Record<ImageFormat, Reader> = {
  // The first chunk is IHDR (length 13): width and height, big-endian 32-bit.
  png: (view, bytes) => {
    if (view.byteLength < 24 || view.getUint32(8) !== 13 || !startsWith(bytes, ascii('IHDR'), 12)) return null;
    return { width: view.getUint32(16), height: view.getUint32(20) };
  },
  // The logical screen: width and height, little-endian 16-bit, right after the signature.
  gif: (view) => (view.byteLength < 10 ? null : { width: view.getUint16(6, true), height: view.getUint16(8, true) }),
  webp: readWebpSize,
  jpeg: readJpegSize,
};

/** RIFF, then the first chunk at 12 says which of the three WebP bitstreams follows (its data at 20). */
function readWebpSize(view: DataView, bytes: Uint8Array): ImageSize | null {
  if (view.byteLength < 30) return null;
  const chunk = String.fromCharCode(...bytes.subarray(12, 16));
  if (chunk === 'VP8 ') {
    // Lossy: a 3-byte frame tag, the start code 9d 01 2a, then 14-bit width and height.
    if (!startsWith(bytes, [0x9d, 0x01, 0x2a], 23)) return null;
    return { width: view.getUint16(26, true) & 0x3fff, height: view.getUint16(28, true) & 0x3fff };
  }
  if (chunk === 'VP8L') {
    // Lossless: the signature 0x2f, then width − 1 and height − 1 in 14 bits each, least significant first.
    if (bytes[20] !== 0x2f) return null;
    const bits = view.getUint32(21, true);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8X') {
    // Extended (alpha, animation): 4 bytes of flags, then canvas width − 1 and height − 1 in 24 bits each.
    const uint24 = (at: number) => view.getUint16(at, true) | (view.getUint8(at + 2) << 16);
    return { width: uint24(24) + 1, height: uint24(27) + 1 };
  }
  return null;
}

// Start-of-frame markers (baseline, progressive, lossless, arithmetic): every one but DHT (c4), JPG (c8) and DAC (cc).
const isStartOfFrame = (marker: number) => marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;

/**
 * A JPEG is a chain of segments (ff, a marker, a 16-bit length that counts itself); the size is in
 * the start-of-frame segment, which comes before the scan data. Walk the chain to it; the scan or
 * the end of the image first means there is none.
 */
function readJpegSize(view: DataView): ImageSize | null {
  let at = 2;
  while (at + 4 <= view.byteLength) {
    if (view.getUint8(at) !== 0xff) return null;
    const marker = view.getUint8(at + 1);
    if (marker === 0xff) {
      at += 1; // fill byte before a marker
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      at += 2; // markers without a length
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return null;
    const length = view.getUint16(at + 2);
    if (length < 2) return null;
    if (isStartOfFrame(marker)) {
      // length, then precision (1 byte), height and width (16-bit each).
      if (length < 7 || at + 9 > view.byteLength) return null;
      return { width: view.getUint16(at + 7), height: view.getUint16(at + 5) };
    }
    at += 2 + length;
  }
  return null;
}
