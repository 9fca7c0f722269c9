/**
 * The behaviour every transport must show, as a vitest suite. db.test.ts runs it on PGlite and
 * Postgres, supabase.test.ts through supabase-js against a fake PostgREST. Tests share one
 * database and run in order, so each makes its own conversations (random ids). One file per area.
 */
import type { Db } from '@/lib/db/types';
import { defineAttachmentCopyContract } from './db/attachment-copies';
import { defineAttachmentContract } from './db/attachments';
import { defineCallErrorContract } from './db/call-errors';
import { defineContinuationContract } from './db/continuation';
import { defineConversationChangesContract } from './db/conversation-changes';
import { defineConversationContract } from './db/conversations';
import { defineDeviceContract } from './db/devices';
import { defineMemberContract } from './db/members';
import { defineOperatorContract } from './db/operators';
import { definePushContract } from './db/push';
import { defineRunContract } from './db/runs';
import { defineShareContract } from './db/shares';
import { defineSnapshotContract } from './db/snapshots';
import { defineUndoNoteContract } from './db/undo-notes';
import { defineWorkspaceAttachmentContract } from './db/workspace-attachments';

export function defineDbContract(getDb: () => Db) {
  defineConversationContract(getDb);
  defineRunContract(getDb);
  defineContinuationContract(getDb);
  defineSnapshotContract(getDb);
  defineUndoNoteContract(getDb);
  defineConversationChangesContract(getDb);
  defineDeviceContract(getDb);
  defineShareContract(getDb);
  defineMemberContract(getDb);
  defineAttachmentContract(getDb);
  defineAttachmentCopyContract(getDb);
  defineWorkspaceAttachmentContract(getDb);
  definePushContract(getDb);
  defineOperatorContract(getDb);
  defineCallErrorContract(getDb);
}
