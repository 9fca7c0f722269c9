export { asNewcomer, assertMayEnter, enterThroughHandoff, isPrivate, listMembers, mayEnter, pageMayEnter, revokeMember, unknownWorkspace } from './server/members';
export { createInvite, createMemberInvite, joinWorkspace } from './server/invites';
export { MEMBERSHIP_CHECK_MS, watchMembership } from './server/member-watch';
export { inviteDurationSchema, inviteOptionsSchema, inviteTokenSchema, memberRefSchema } from './schemas';
export type { Invite, Member } from './types';
export { askRunningServer, runOperatorRequest, serveOperatorChannel, type OperatorRequest } from './server/operator-channel';
