export { createWorkspace, ensureDemoWorkspace, findWorkspace, requireWorkspace, type Workspace } from './server/workspaces';
export { listFolder, readFileForViewer, restoreFile, snapshotFile, type FileSnapshot } from './server/files';
