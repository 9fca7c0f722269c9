import { z } from 'zod';
import { MAX_ATTACHMENT_NAME_CHARS } from './limits';

// Bidirectional controls make "report<U+202E>fdp.exe" read as "reportexe.pdf": refused with the C0/C1 controls.
const CONTROL_OR_BIDI = /[\p{Cc}\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

/**
 * An attachment's name as its upload's header carries it (URL-encoded): one plain file name, no
 * folders and nothing that could climb out of one, no control characters, at most 200 characters.
 * It is shown, and later used to name the file in the workspace.
 */
export const attachmentNameSchema = z
  .string({ error: 'Name the file in the X-Attachment-Name header (URL-encoded).' })
  .transform((encoded, ctx) => {
    try {
      return decodeURIComponent(encoded).normalize('NFC').trim();
    } catch {
      ctx.addIssue({ code: 'custom', message: 'The file name is not valid URL-encoded UTF-8.' });
      return z.NEVER;
    }
  })
  .pipe(
    z
      .string()
      .min(1, 'The file name is empty.')
      .max(MAX_ATTACHMENT_NAME_CHARS, `The file name is longer than ${MAX_ATTACHMENT_NAME_CHARS} characters.`)
      .refine((name) => !/[/\\]/.test(name), 'The file name may not contain / or \\.')
      .refine((name) => !CONTROL_OR_BIDI.test(name), 'The file name contains control characters.')
      .refine((name) => name !== '.' && name !== '..', 'The file name may not be . or ..'),
  );
