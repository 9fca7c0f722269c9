export { RunEventLog } from './server/run-event-log';
export { closeAllStreams, streamRunEvents } from './server/event-stream';
export { loadHistory, readSession, sessionTaskPlan, type FinishedRun } from './server/history';
export { MessageNormalizer } from './server/normalize';
export { TaskPlan } from './server/task-plan';
export { branchPoint, replacePoint } from './server/replace-point';
export { blocks as contentBlocks } from './server/normalize';
export { contentText } from './server/tool-target';
export { attachmentsMarker } from './server/attachment-marker';
