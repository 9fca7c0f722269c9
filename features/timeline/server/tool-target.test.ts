import { describe, expect, it } from 'vitest';
import { summarize } from './tool-target';

describe("a tool result's card text", () => {
  it('keeps a short output whole, with its line count, and drops system reminders', () => {
    expect(summarize('one\ntwo<system-reminder>for the model</system-reminder>\n')).toEqual({ text: 'one\ntwo', lines: 2 });
    expect(
      summarize([
        { type: 'text', text: 'a' },
        { type: 'text', text: 'b' },
      ]),
    ).toEqual({ text: 'ab', lines: 1 });
    expect(summarize(undefined)).toEqual({ text: '', lines: 0 });
  });

  it('sends the first 40 lines of a long output and counts all of them', () => {
    const output = Array.from({ length: 500 }, (_, i) => `line ${i + 1}`).join('\n');
    const { text, lines } = summarize(output);
    expect(lines).toBe(500);
    expect(text.split('\n')).toHaveLength(41);
    expect(text.endsWith('line 40\n…')).toBe(true);
  });

  it('cuts very long lines at 4,000 characters', () => {
    const { text, lines } = summarize('x'.repeat(10_000));
    expect(lines).toBe(1);
    expect(text).toHaveLength(4001);
  });
});
