import 'server-only';
import { SANDBOXED_CONTENT_POLICY } from '@/lib/security-headers';
import type { Attachment, ConversationAttachment } from '../types';
import { kindOf, OTHER_MEDIA_TYPE } from './classify';
import type { StoredAttachment } from './queries';

/** An attachment as the API describes it. */
export function toAttachment({ id, name, mediaType, size, width, height }: StoredAttachment): Attachment {
  return { id, name, mediaType, size, kind: kindOf(mediaType), width, height };
}

export function toConversationAttachment(stored: StoredAttachment): ConversationAttachment {
  return { ...toAttachment(stored), runId: stored.runId };
}

/**
 * The attachment's bytes as a download that can never run as a page of the workspace's origin:
 * the type the server detected (never the browser's), no sniffing, a CSP that sandboxes it and
 * lets it load nothing, and `inline` only for images and PDFs, which browsers show without
 * running anything; a text or any other file is saved, not opened. Ids are never reused, so the
 * browser may keep it for good (privately: it is one visitor's).
 */
export function attachmentResponse(attachment: StoredAttachment & { bytes: Buffer }): Response {
  const kind = kindOf(attachment.mediaType);
  const type = kind === 'text' ? 'text/plain; charset=utf-8' : kind === 'other' ? OTHER_MEDIA_TYPE : attachment.mediaType;
  return new Response(new Uint8Array(attachment.bytes), {
    headers: {
      'content-type': type,
      'content-disposition': contentDisposition(kind === 'image' || kind === 'pdf' ? 'inline' : 'attachment', attachment.name),
      'x-content-type-options': 'nosniff',
      'cache-control': 'private, max-age=31536000, immutable',
      'content-security-policy': SANDBOXED_CONTENT_POLICY,
      // Only this origin's pages may load it, even as an <img> on another site.
      'cross-origin-resource-policy': 'same-origin',
    },
  });
}

/**
 * `inline; filename="…"; filename*=UTF-8''…` (RFC 6266): the quoted name is an ASCII stand-in for
 * old clients, with anything that could end or escape the quotes replaced; the UTF-8 one is the
 * real name, percent-encoded (RFC 8187 allows only attr-chars unencoded).
 */
export function contentDisposition(type: 'inline' | 'attachment', name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${type}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
