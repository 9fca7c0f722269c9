import { describe, expect, it } from 'vitest';
import { encodeAttachmentName } from './attachment-name';
import { attachmentNameSchema } from './schemas';

const parse = (header: string | undefined) => attachmentNameSchema.safeParse(header);

describe('an attachment name (X-Attachment-Name, URL-encoded)', () => {
  it('is any plain file name, decoded, up to 200 characters', () => {
    for (const name of ['Screenshot 2026-12-03 at 10.41.12.png', '報告書 (final).pdf', 'émoji 🙂.txt', '.env.example', 'a'.repeat(200)]) {
      expect(parse(encodeAttachmentName(name))).toMatchObject({ success: true, data: name });
    }
    expect(parse('notes.txt')).toMatchObject({ success: true, data: 'notes.txt' });
    expect(parse(encodeAttachmentName('  padded.txt  '))).toMatchObject({ success: true, data: 'padded.txt' });
    // Decomposed "é" (e + combining acute), as macOS names files, comes out composed.
    expect(parse(encodeAttachmentName('cafe\u0301.txt'))).toMatchObject({ success: true, data: 'caf\u00e9.txt' });
  });

  it.each([
    ['missing', undefined, /X-Attachment-Name/],
    ['empty', '', /empty/],
    ['blank', '%20%20', /empty/],
    ['a folder', encodeAttachmentName('../../etc/passwd'), /may not contain/],
    ['a Windows folder', encodeAttachmentName('..\\boot.ini'), /may not contain/],
    ['the parent', '%2E%2E', /may not be/],
    ['NUL', encodeAttachmentName('a\u0000.png'), /control characters/],
    ['a newline', encodeAttachmentName('a\nb.txt'), /control characters/],
    ['a right-to-left override', encodeAttachmentName('report\u202efdp.exe'), /control characters/],
    ['too long', encodeAttachmentName('a'.repeat(201)), /longer than 200/],
    ['badly encoded', '%E0%A4%A', /not valid URL-encoded/],
    ['a lone surrogate', '%ED%A0%80.txt', /not valid URL-encoded/],
  ])('refuses a name that is %s', (_, header, message) => {
    const result = parse(header);
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((issue) => issue.message).join(' ')).toMatch(message);
  });
});
