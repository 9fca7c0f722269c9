export { workspaceFromHost, workspaceNameSchema, type WorkspaceConfig } from './schemas';
