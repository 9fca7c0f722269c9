export type { ChangesItem, FileChange } from './types';
export { ChangesView } from './components/changes-view';
export { ConversationChangesDialog } from './components/conversation-changes-dialog';
export { CommitDialog } from './components/commit-dialog';
