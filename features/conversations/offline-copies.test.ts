import { afterEach, describe, expect, it, vi } from 'vitest';
import { OFFLINE_PAGES_CACHE, saveOfflineCopies } from './offline-copies';

const ID = '6f1c1f5e-8d7b-4c1e-9a3a-2f1b0c9d8e7f';

/** A browser as the page sees it: which worker controls it, its caches, its fetch. */
function browser({ controlled }: { controlled: boolean }) {
  const added: { cache: string; url: string }[] = [];
  const fetched: { url: string; init?: RequestInit }[] = [];
  vi.stubGlobal('location', new URL(`http://demo.localhost:3000/?x=1#handoff=secret`));
  vi.stubGlobal('navigator', { serviceWorker: { controller: controlled ? {} : null } });
  vi.stubGlobal('caches', { open: async (cache: string) => ({ add: async (url: string) => void added.push({ cache, url }) }) });
  vi.stubGlobal('fetch', async (url: string, init?: RequestInit) => {
    fetched.push({ url, ...(init ? { init } : {}) });
    return new Response('{}');
  });
  return { added, fetched };
}

afterEach(() => vi.unstubAllGlobals());

describe('saving the offline copies of a load the worker did not control', () => {
  it('puts the page into the pages cache, without its fragment, and asks for the history through the worker, past the HTTP cache', async () => {
    const { added, fetched } = browser({ controlled: true });
    await saveOfflineCopies({ page: true, conversationId: ID });
    expect(added).toEqual([{ cache: OFFLINE_PAGES_CACHE, url: 'http://demo.localhost:3000/?x=1' }]);
    expect(fetched).toEqual([{ url: `/api/conversations/${ID}`, init: { cache: 'no-store', headers: { 'x-tether-offline-copy': '1' } } }]);
  });

  it('asks for the history alone after a run, and for nothing without a conversation', async () => {
    const { added, fetched } = browser({ controlled: true });
    await saveOfflineCopies({ page: false, conversationId: ID });
    await saveOfflineCopies({ page: false, conversationId: null });
    expect(added).toEqual([]);
    expect(fetched.map(({ url }) => url)).toEqual([`/api/conversations/${ID}`]);
  });

  it('does nothing while no worker controls the page (the history asked would not pass through one)', async () => {
    const { added, fetched } = browser({ controlled: false });
    await saveOfflineCopies({ page: true, conversationId: ID });
    expect([...added, ...fetched]).toEqual([]);
  });
});
