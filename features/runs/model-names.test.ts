import { describe, expect, it } from 'vitest';
import { modelDisplayName } from './model-names';

describe('modelDisplayName', () => {
  it.each([
    ['claude-sonnet-4-5', 'Claude Sonnet 4.5'],
    ['claude-opus-4-1', 'Claude Opus 4.1'],
    ['claude-haiku-4-5', 'Claude Haiku 4.5'],
    ['claude-opus-4', 'Claude Opus 4'],
    ['claude-sonnet-4-5-20250929', 'Claude Sonnet 4.5'],
    ['gpt-something', 'gpt-something'],
  ])('%s → %s', (id, name) => expect(modelDisplayName(id)).toBe(name));
});
