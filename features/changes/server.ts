export { undoRunChanges } from './server/undo';
export { takeUndoNote } from './server/undo-note';
export { conversationChanges, conversationPatch } from './server/conversation-changes';
export { keptBefore, RunSnapshots, type KeepSnapshot } from './server/run-snapshots';
export { pruneDeletedConversations, sweepSnapshotStores } from './server/prune';
export type { Snapshot } from './server/snapshots';
export { listRunChanges, recordRunChanges, recordRunSnapshot, type RunChanges } from './server/queries';
