/**
 * Reading the history where the store and this disk each lack lines of the other: the store may
 * hold another instance's turns, the disk lines an outage held back.
 */
import type { SessionStoreEntry } from '@anthropic-ai/claude-agent-sdk';
import { describe, expect, it } from 'vitest';
import { mergeTranscripts } from './transcript-disk';

const line = (uuid: string): SessionStoreEntry => ({ type: 'user', uuid });
const uuids = (entries: SessionStoreEntry[] | null) => entries?.map((entry) => entry.uuid ?? entry.type) ?? null;

describe('merging the store with the disk', () => {
  it('uses the store when the disk has nothing more, and either alone when the other has nothing', () => {
    expect(uuids(mergeTranscripts([line('a'), line('b')], [line('a')]))).toEqual(['a', 'b']);
    expect(uuids(mergeTranscripts(null, [line('a')]))).toEqual(['a']);
    expect(uuids(mergeTranscripts([line('a')], null))).toEqual(['a']);
    expect(mergeTranscripts(null, null)).toBeNull();
  });

  it("places the disk's extra lines after the line they followed on disk, keeping the store's own", () => {
    // The store: a, b, then another instance's x, y. The disk: a, b, c, d (c, d held back by an outage), and a title without a uuid.
    const stored = [line('a'), line('b'), line('x'), line('y')];
    const local = [{ type: 'title' }, line('a'), line('b'), line('c'), line('d')];
    expect(uuids(mergeTranscripts(stored, local))).toEqual(['title', 'a', 'b', 'c', 'd', 'x', 'y']);
  });
});
