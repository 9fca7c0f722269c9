import 'server-only';
import { z } from 'zod';
import type { Attachment } from '@/features/attachments';
import { attachmentSchema } from '../events';
import { blocks } from './normalize';

/**
 * A message with attachments reaches the agent as content blocks (images, documents, texts), and
 * the transcript keeps those blocks, but not which of the conversation's attachments they were.
 * So the message carries one more text block, first, naming them (without their bytes):
 *
 *   <tether-attachments>[{"id":"…","name":"shot.png","mediaType":"image/png",…}]</tether-attachments>
 *
 * and the history reads it back to show the message's attachments after a reload. The model sees
 * it too, which is harmless (a list of the files it was given, by name) and even tells it which
 * block is which file. Like the CLI's own tagged lines, it starts with "<", which the history
 * never takes for the visitor's words.
 */
const OPEN = '<tether-attachments>';
const CLOSE = '</tether-attachments>';

export function attachmentsMarker(attachments: Attachment[]): string {
  const described = attachments.map(({ id, name, mediaType, size, kind, width, height }) => ({ id, name, mediaType, size, kind, width, height }));
  return `${OPEN}${JSON.stringify(described)}${CLOSE}`;
}

const markedSchema = z.array(attachmentSchema);

/** The attachments a user message's marker names, or null when it has none (or one that does not parse). */
export function markedAttachments(content: unknown): Attachment[] | null {
  for (const block of blocks(content)) {
    const text = block.type === 'text' ? String(block.text ?? '') : '';
    if (!text.startsWith(OPEN) || !text.endsWith(CLOSE)) continue;
    try {
      const parsed = markedSchema.safeParse(JSON.parse(text.slice(OPEN.length, -CLOSE.length)));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }
  return null;
}
