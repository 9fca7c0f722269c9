import { z } from 'zod';
import { MAX_APPROVAL_NOTE_CHARS } from './limits';
import { approvalDecisions, approvalScopes } from './vocabulary';

/** `POST /api/runs/:runId/approvals/:approvalId`. `device` is the deciding browser's own id, so each device can tell "you" from "another device". */
export const decideApprovalSchema = z.strictObject({
  decision: z.enum(approvalDecisions),
  note: z
    .string()
    .trim()
    .max(MAX_APPROVAL_NOTE_CHARS, `The note is longer than ${MAX_APPROVAL_NOTE_CHARS} characters`)
    .refine((note) => !note.includes('\u0000'), 'The note contains a NUL character')
    .optional(),
  scope: z.enum(approvalScopes).default('once'),
  device: z
    .string()
    .regex(/^[\w-]{8,64}$/, 'Not a device id')
    .optional(),
});

export type DecideApprovalInput = z.infer<typeof decideApprovalSchema>;
