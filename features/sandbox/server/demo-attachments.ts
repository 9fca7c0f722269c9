import 'server-only';
import { imageFormatOf, imageSize } from '@/features/attachments/server';
import type { ContentBlock, MessagesRequest, Reply } from '@/lib/messages-api/server';

/** Enough of an image's base64 for its header (a JPEG's frame header may follow a large Exif block). */
const HEADER_BASE64_CHARS = 256 * 1024;

/**
 * The demo model's answer to a message with images or PDFs: what it received, read from the blocks
 * themselves ("I see a 1200×800 PNG", "I got a PDF of 3120 bytes"), so sending attachments can be
 * tried without an API key and shows that the files reached the model; a text file or a file saved
 * into the workspace is named. Null for a message without any.
 */
export function attachmentsAnswer(request: MessagesRequest): Reply | null {
  const last = request.messages.at(-1);
  if (last?.role !== 'user' || typeof last.content === 'string') return null;
  const seen = last.content.flatMap((block) => {
    const said = block.type === 'image' ? imageSeen(block) : block.type === 'document' ? documentSeen(block) : block.type === 'text' ? textSeen(String(block.text ?? '')) : null;
    return said ? [said] : [];
  });
  if (seen.length === 0) return null;
  return { blocks: [{ type: 'text', text: `${seen.join('. ')}.` }], delayMs: 15 };
}

type Base64Source = { type?: string; media_type?: string; data?: string };

function imageSeen(block: ContentBlock): string | null {
  const source = block.source as Base64Source | undefined;
  if (source?.type !== 'base64' || typeof source.data !== 'string') return null;
  const header = Buffer.from(source.data.slice(0, HEADER_BASE64_CHARS), 'base64');
  const format = imageFormatOf(header);
  const size = format && imageSize(format, header);
  return format && size ? `I see a ${size.width}×${size.height} ${format.toUpperCase()}` : `I got an image I can't read (${source.media_type ?? 'no type'})`;
}

function documentSeen(block: ContentBlock): string | null {
  const source = block.source as Base64Source | undefined;
  if (source?.type !== 'base64' || source.media_type !== 'application/pdf' || typeof source.data !== 'string') return null;
  return `I got a PDF of ${Buffer.byteLength(source.data, 'base64')} bytes`;
}

/** The notes features/runs/server/message-attachments.ts writes for a text file's text and for the files it saved. */
function textSeen(text: string): string | null {
  const named = /^<attached-file name=("(?:[^"\\]|\\.)*")>/.exec(text)?.[1];
  if (named) return `I got the text of ${named}`;
  if (!text.startsWith('<attachments-saved>')) return null;
  const saved = [...text.matchAll(/^- (.+) \(/gm)].map((match) => match[1]);
  return `I see ${saved.join(', ')} in the workspace`;
}
