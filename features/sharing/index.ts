export type { Device } from './types';
export { SHARE_TOKEN_HEADER } from './share-token';
