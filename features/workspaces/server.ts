export { createWorkspace, ensureDemoWorkspace, findWorkspace, requireWorkspace, type Workspace } from './server/workspaces';
export { listFolder, readFileForViewer } from './server/files';
