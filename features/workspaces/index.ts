export { commitSchema, filePathSchema, workspaceFromHost, workspaceNameSchema, type WorkspaceConfig } from './schemas';
export type { BranchLog, FileContent, FileEntry, FileListing } from './types';
