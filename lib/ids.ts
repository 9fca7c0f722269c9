import { z } from 'zod';

/** Any id the app hands out (conversations, runs, approvals, devices): a UUID, checked the same way everywhere. */
export const uuidSchema = z.uuid('Not a valid id');
