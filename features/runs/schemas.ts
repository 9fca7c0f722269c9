import { z } from 'zod';
import { agentModes } from './types';

export const MAX_MESSAGE_CHARS = 20_000;

export const sendMessageSchema = z.object({
  text: z.string().trim().min(1, 'Message is empty').max(MAX_MESSAGE_CHARS, `Message is longer than ${MAX_MESSAGE_CHARS} characters`),
  model: z.string().min(1).max(100),
  mode: z.enum(agentModes),
});

export type SendMessageInput = z.infer<typeof sendMessageSchema>;

export const uuidSchema = z.uuid('Not a valid id');

/**
 * The event stream sends a `: heartbeat` comment this often, so a client that hears nothing for
 * about twice as long knows its connection is dead even when no error says so.
 */
export const HEARTBEAT_MS = 15_000;

/** `?after=` or the SSE `Last-Event-ID` header: the last sequence number the client has. */
export const afterSeqSchema = z.coerce.number().int().min(0).default(0);
