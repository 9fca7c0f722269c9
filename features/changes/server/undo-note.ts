import 'server-only';
import { logger } from '@/lib/logger';
import { takeUndonePaths } from './queries';

/** At most this many paths are named to the agent; the rest are counted. */
const MAX_NAMED = 50;

/**
 * Tagged like the CLI's own notes (the history takes no text that starts with "<" for the
 * visitor's words), so the agent reads it with the message and the history shows the message alone.
 */
const OPEN = '<changes-undone>';
const CLOSE = '</changes-undone>';

/** What the agent is told of the files Undo put back since its last turn. */
export function undoNote(paths: string[], { runs = 1 }: { runs?: number } = {}): string {
  const named = paths.slice(0, MAX_NAMED).join(', ') + (paths.length > MAX_NAMED ? ` and ${paths.length - MAX_NAMED} more` : '');
  const before = runs === 1 ? 'that run' : 'those runs';
  return `${OPEN}\nThe user undid your changes to: ${named} (they are back as they were before ${before}).\n${CLOSE}`;
}

/**
 * The note for the run's message, when Undo put files back since the agent's last turn in the
 * conversation; null when it did not. Taken from the database, so it is told once whichever
 * instance runs the next message (a continuation of the same run gets it again). A failure to
 * take it leaves it there for the next message: the run goes on without it.
 */
export async function takeUndoNote({ conversationId, runId }: { conversationId: string; runId: string }): Promise<string | null> {
  try {
    const { paths, runs } = await takeUndonePaths({ conversationId, runId });
    return paths.length === 0 ? null : undoNote(paths, { runs });
  } catch (error) {
    logger.warn('the note of an undo could not be taken', { conversationId, runId, error });
    return null;
  }
}
