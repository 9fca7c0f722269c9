export { filePathSchema, workspaceFromHost, workspaceNameSchema, type WorkspaceConfig } from './schemas';
export type { FileContent, FileEntry, FileListing } from './types';
