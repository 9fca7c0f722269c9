export { createWorkspace, ensureDemoWorkspace, findWorkspace, requireWorkspace, type Workspace } from './server/workspaces';
