export type { Device } from './types';
export { SHARE_TOKEN_HEADER } from './share-token';
export { HandoffDialog } from './components/handoff-dialog';
export { redeemHandoff } from './api/sharing-api';
