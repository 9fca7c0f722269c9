export type { Device } from './types';
export { SHARE_TOKEN_HEADER } from './share-token';
export { HandoffDialog } from './components/handoff-dialog';
export { ShareDialog } from './components/share-dialog';
export { takeHandoffToken, useHandoffLink } from './hooks/use-handoff-link';
export { redeemHandoff } from './api/sharing-api';
export { LinkField } from './components/link-field';
