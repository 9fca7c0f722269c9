export { FileCheckpoints, undoRunChanges, type KeptCheckpoint } from './server/file-changes';
export { listRunChanges, recordRunChanges, type KeptChange, type RunChanges } from './server/queries';
