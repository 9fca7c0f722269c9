import 'server-only';

/**
 * The run manager's public face: runs detached from the request that starts them, one per
 * conversation. Each job has its own file:
 * - run-registry: which runs this instance holds;
 * - run-routing: reaching a run on whichever instance runs it;
 * - run-admission: a send's fair-use checks and the run's record;
 * - approval-bridge: ask mode's tool calls put to the visitor;
 * - run-execute: the agent's turn, and its one retry as a fresh session;
 * - run-finish: how the run ended, recorded and announced;
 * - run-control: Stop, the drain and hand-over at shutdown, and forgetting a deleted conversation;
 * - run-state: the phases a run goes through and why it ends;
 * - run-journal: a running run's events where they outlive its process;
 * - takeover, continuation: runs whose server went, continued as the same run (or ended).
 */
export { startRun } from './run-admission';
export { forgetRunsOf, handOverAllRuns, runsEnded, stopRun } from './run-control';
export { activeRun, isBusy, isLocalRunOf, requireRun } from './run-registry';
export { decideAnywhere, findRun, obeyOtherInstances, stopAnywhere } from './run-routing';
