export { FileCheckpoints, undoRunChanges } from './server/file-changes';
export { listRunChanges, recordRunChanges, type KeptChange, type RunChanges } from './server/queries';
