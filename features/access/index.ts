export { JoinWorkspace } from './components/join-workspace';
export { PrivateWorkspace } from './components/private-workspace';
export { InviteButton } from './components/invite-button';
export type { Invite, Member } from './types';
