export { isShared, openShare, shareConversation, stopSharing } from './server/shares';
// The browser's side reads it from the feature's index; server code must not load that (React hooks).
export { SHARE_TOKEN_HEADER } from './share-token';
export { actingVisitor, actingVisitorForRun, createHandoff, listDevices, redeemHandoff, revokeDevice } from './server/devices';
export { handoffTokenSchema } from './schemas';
