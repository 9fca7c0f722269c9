import { actingVisitor, actingVisitorForRun } from '@/features/sharing/server';
import { isLocalRunOf } from '@/features/runs/server';

/** Whose rights the caller has on the conversation or run `id` names, in `workspace`. */
export type ActorOf = (caller: { id: string; visitorId: string; workspace: string }) => Promise<string>;

/** On a conversation: its owner's when the caller owns it or is one of its devices (a handoff), else its own. */
export const conversationActor: ActorOf = ({ id, visitorId, workspace }) => actingVisitor({ conversationId: id, visitorId, workspace });

/**
 * On a run: its own when it started the run on this instance (no database trip: viewers attach
 * by the thousand), else the conversation owner's when the caller is one of the conversation's
 * devices (a handoff), else its own (and the run is not found).
 */
export const runActor: ActorOf = async ({ id, visitorId, workspace }) => (isLocalRunOf(id, visitorId) ? visitorId : actingVisitorForRun({ runId: id, visitorId, workspace }));
