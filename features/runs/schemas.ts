import { z } from 'zod';
import { MAX_ATTACHMENTS_PER_MESSAGE, MAX_MESSAGE_CHARS } from './limits';
import { agentModes } from './types';

/**
 * A message: its text, and the attachments uploaded for it (features/attachments), by id. It may
 * be attachments alone ("describe this screenshot" is often said by the screenshot): the text may
 * be empty only when it carries at least one.
 */
export const sendMessageSchema = z
  .object({
    text: z
      .string()
      .trim()
      .max(MAX_MESSAGE_CHARS, `Message is longer than ${MAX_MESSAGE_CHARS} characters`)
      // It becomes the conversation's title, and Postgres text can't hold NUL.
      .refine((text) => !text.includes('\u0000'), 'Message contains a NUL character'),
    model: z.string().min(1).max(100),
    mode: z.enum(agentModes),
    /**
     * Retry or Edit: this message takes the place of the conversation's last one, whose answer is
     * left behind; besides unsent attachments it may name that one's again, which become its own.
     */
    replaceLast: z.boolean().optional(),
    // The configured count (TETHER_ATTACHMENTS_PER_MESSAGE) is checked by the server, which knows it;
    // this is its highest possible value, so no list longer than any server takes gets that far.
    attachments: z
      .array(z.uuid('An attachment id is not a UUID'))
      .max(MAX_ATTACHMENTS_PER_MESSAGE, `A message can carry at most ${MAX_ATTACHMENTS_PER_MESSAGE} attachments`)
      .refine((ids) => new Set(ids).size === ids.length, 'An attachment is listed twice')
      .optional(),
  })
  // Checked even when another field is wrong (`when`), so one answer names every bad field.
  .refine((message) => hasContent(message), { message: 'Message is empty', path: ['text'], when: (payload) => typeof payload.value === 'object' && payload.value !== null });

function hasContent(message: { text?: unknown; attachments?: unknown }): boolean {
  return (typeof message.text === 'string' && message.text.trim().length > 0) || (Array.isArray(message.attachments) && message.attachments.length > 0);
}

export type SendMessageInput = z.infer<typeof sendMessageSchema>;

/** `?after=` or the SSE `Last-Event-ID` header: the last sequence number the client has. */
export const afterSeqSchema = z.coerce.number().int().min(0).default(0);

/**
 * `?visible=1|0`: whether the viewer's page is visible (it reconnects when that changes). A run
 * that ends while a visible viewer is attached sends no push. Absent = visible (a viewer that
 * says nothing is taken to be watching).
 */
export const visibleSchema = z
  .enum(['0', '1'], { error: 'visible is 1 or 0' })
  .default('1')
  .transform((value) => value === '1');

/** `?format=md|json` of an export: Markdown to read (the default), or the raw JSON record. */
export const exportFormatSchema = z.enum(['md', 'json'], { error: 'format is md or json' }).default('md');

/** "Branch from here": how many of the visitor's messages (with their answers) the branch keeps. */
export const branchSchema = z.object({ keepPrompts: z.number().int().min(1).max(100_000) });
