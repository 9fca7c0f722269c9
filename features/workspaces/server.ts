export { createWorkspace, ensureDemoWorkspace, findWorkspace, requireWorkspace, snapshotsGitDir, workspaceConfig, workspaceNames, type Workspace } from './server/workspaces';
export { listFolder, readFileForViewer, restoreFile, saveNewFile, snapshotFile, type FileSnapshot } from './server/files';
export { formatBytes, workspaceDiskUsage, workspaceFullNotice, type DiskUsage } from './server/disk-quota';
export { assertDiskReserve } from './server/disk-reserve';
export { branchLog, commitConversation } from './server/worktree-commits';
export { conversationBranch, conversationWorkspace, gitOnWorkspace, openConversationWorkspace, removeConversationWorktree, worktreeConversations } from './server/worktrees';
