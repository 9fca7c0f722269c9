import 'server-only';
import { AppError } from '@/lib/errors';
import { formatFileSize } from '../file-size';
import { MAX_IMAGE_SIDE_PX, MAX_INLINE_TEXT_BYTES } from '../limits';
import type { AttachmentKind } from '../types';
import { IMAGE_MEDIA_TYPES, imageFormatOf, imageSize } from './image-header';

/** What the bytes turned out to be: the kind, the media type it is stored and served as, an image's size. */
export type Classified = { kind: AttachmentKind; mediaType: string; width: number | null; height: number | null };

export const PDF_MEDIA_TYPE = 'application/pdf';
export const TEXT_MEDIA_TYPE = 'text/plain';
export const OTHER_MEDIA_TYPE = 'application/octet-stream';

const IMAGE_EXTENSIONS = new Set(['png', 'jpg', 'jpeg', 'jpe', 'jfif', 'gif', 'webp']);
const IMAGE_DECLARED = /^image\/(png|jpe?g|pjpeg|gif|webp)$/;
const PDF_SIGNATURE = Buffer.from('%PDF-');

const extensionOf = (name: string) => /\.([^.]+)$/.exec(name)?.[1]?.toLowerCase() ?? '';
const essence = (declaredType: string | null) => (declaredType ?? '').split(';')[0]!.trim().toLowerCase();

/**
 * Decides what an upload is from its bytes alone: its name and the type the browser declared
 * only say what it claims to be, and a file that claims to be an image or a PDF and isn't one is
 * refused (an executable renamed .png). Images must have a header whose size can be read.
 */
export function classifyAttachment({ bytes, name, declaredType }: { bytes: Buffer; name: string; declaredType: string | null }): Classified {
  if (bytes.byteLength === 0) throw new AppError('bad_request:attachment_empty', `"${name}" is empty.`);
  const claimed = essence(declaredType);
  const extension = extensionOf(name);

  const format = imageFormatOf(bytes);
  if (format) {
    const size = imageSize(format, bytes);
    if (!size) throw notAnImage(name, `it starts like a ${format.toUpperCase()} but its header can't be read`);
    if (size.width > MAX_IMAGE_SIDE_PX || size.height > MAX_IMAGE_SIDE_PX) {
      throw new AppError(
        'payload_too_large:image_dimensions',
        `"${name}" is ${size.width}×${size.height} px; an image may be at most ${MAX_IMAGE_SIDE_PX} px on a side. Scale it down and attach it again.`,
      );
    }
    return { kind: 'image', mediaType: IMAGE_MEDIA_TYPES[format], ...size };
  }
  if (IMAGE_DECLARED.test(claimed) || IMAGE_EXTENSIONS.has(extension)) throw notAnImage(name, 'its contents are not a PNG, JPEG, GIF or WebP image');

  if (bytes.subarray(0, PDF_SIGNATURE.length).equals(PDF_SIGNATURE)) return { kind: 'pdf', mediaType: PDF_MEDIA_TYPE, width: null, height: null };
  if (claimed === PDF_MEDIA_TYPE || extension === 'pdf') {
    throw new AppError('unsupported_media_type:not_a_pdf', `"${name}" is not a PDF (its contents don't start with %PDF-), so it was not attached.`);
  }

  if (bytes.byteLength <= MAX_INLINE_TEXT_BYTES && isText(bytes)) return { kind: 'text', mediaType: TEXT_MEDIA_TYPE, width: null, height: null };
  return { kind: 'other', mediaType: OTHER_MEDIA_TYPE, width: null, height: null };
}

function notAnImage(name: string, why: string): AppError {
  return new AppError('unsupported_media_type:not_an_image', `"${name}" is not an image the model can read (${why}), so it was not attached.`);
}

// fatal: an invalid sequence throws instead of becoming U+FFFD.
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Text is valid UTF-8 without NUL bytes (which no text file has and every binary one does). */
function isText(bytes: Buffer): boolean {
  if (bytes.includes(0)) return false;
  try {
    utf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** The kind a stored media type means (the server stored it, from classifyAttachment). */
export function kindOf(mediaType: string): AttachmentKind {
  if (mediaType.startsWith('image/')) return 'image';
  if (mediaType === PDF_MEDIA_TYPE) return 'pdf';
  if (mediaType === TEXT_MEDIA_TYPE) return 'text';
  return 'other';
}

/** Why a file is over the per-file cap, in words. */
export function tooLargeMessage(name: string, maxBytes: number): string {
  return `"${name}" is larger than ${formatFileSize(maxBytes)}, the most one attachment may be.`;
}
