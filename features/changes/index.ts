export type { FileChange } from './types';
