import { expect, it } from 'vitest';
import { formatFileSize } from './file-size';

it('writes a size as a person reads it', () => {
  expect([1, 12, 1023, 1024, 340 * 1024, 4.84 * 1024 * 1024, 20 * 1024 * 1024].map(formatFileSize)).toEqual(['1 byte', '12 bytes', '1023 bytes', '1 KB', '340 KB', '4.8 MB', '20 MB']);
});
