import { conversationExport } from '@/features/runs/server';
import { shareRoute } from '../../_lib/share-route';

/** A shared conversation as Markdown, for whoever holds the share link (read-only, like the page). */
export const GET = shareRoute(async ({ workspace, shared }) => conversationExport({ visitorId: shared.ownerId, workspace, conversationId: shared.conversationId, format: 'md' }));
