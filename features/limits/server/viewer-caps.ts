import 'server-only';
import { sharedGauge } from './shared-gauge';
import type { LimitStore } from './store';

/** A dead instance's viewers leave the shared counts within this. */
const VIEWER_PERIOD_SECONDS = 60;

/** Open event streams per run and per visitor, counted across instances. */
export function viewerCaps(store: LimitStore, { perRun, perVisitor }: { perRun: number; perVisitor: number }) {
  const runs = sharedGauge(store, { name: 'viewers-per-run', periodSeconds: VIEWER_PERIOD_SECONDS });
  const visitors = sharedGauge(store, { name: 'viewers-per-visitor', periodSeconds: VIEWER_PERIOD_SECONDS });
  return {
    perRun,
    perVisitor,
    /** A place for one more viewer, and the function that gives it back; null past either cap. */
    async open({ runId, visitorId }: { runId: string; visitorId: string }): Promise<(() => Promise<void>) | null> {
      if (!(await runs.open(runId, perRun))) return null;
      if (!(await visitors.open(visitorId, perVisitor))) {
        await runs.close(runId);
        return null;
      }
      let open = true;
      return async () => {
        if (!open) return;
        open = false;
        await Promise.all([runs.close(runId), visitors.close(visitorId)]);
      };
    },
  };
}
