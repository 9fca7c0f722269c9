import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

// Node has no localStorage; the store's persist storage reads it lazily, so stub it before import.
const storage = new Map<string, string>();
globalThis.localStorage = {
  getItem: (key: string) => storage.get(key) ?? null,
  setItem: (key: string, value: string) => void storage.set(key, String(value)),
  removeItem: (key: string) => void storage.delete(key),
  clear: () => storage.clear(),
  key: (index: number) => [...storage.keys()][index] ?? null,
  get length() {
    return storage.size;
  },
} as Storage;

let mod: typeof import('./conversations-store');
beforeAll(async () => {
  mod = await import('./conversations-store');
});

const defaultNotifications = { enabled: true, showPreview: false };
const empty = { recent: [], currentByWorkspace: {}, preferences: { model: null, mode: 'build' }, notifications: defaultNotifications };

describe('migrateConversations', () => {
  it('turns version 0 sessions into recent entries and the single current conversation into a per-workspace one', () => {
    const v0 = {
      sessions: [
        { conversationId: 'c1', workspace: 'demo', lastActivity: 2 },
        { conversationId: 'c2', workspace: 'docs', lastActivity: 1 },
      ],
      currentConversationId: 'c1',
      currentWorkspace: 'demo',
    };
    expect(mod.migrateConversations(v0, 0)).toEqual({
      recent: [
        { conversationId: 'c1', workspace: 'demo', lastActivity: 2, preview: '', messageCount: 0, lastViewedAt: 2 },
        { conversationId: 'c2', workspace: 'docs', lastActivity: 1, preview: '', messageCount: 0, lastViewedAt: 1 },
      ],
      currentByWorkspace: { demo: 'c1' },
      preferences: { model: null, mode: 'build' },
      notifications: defaultNotifications,
    });
  });

  it('keeps at most 10 version 0 sessions and no current one without its workspace', () => {
    const sessions = Array.from({ length: 15 }, (_, i) => ({ conversationId: `c${i}`, workspace: 'demo', lastActivity: i }));
    const migrated = mod.migrateConversations({ sessions, currentConversationId: 'c1' }, 0);
    expect(migrated.recent.map((entry) => entry.conversationId)).toEqual(sessions.slice(0, 10).map((s) => s.conversationId));
    expect(migrated.currentByWorkspace).toEqual({});
    expect(mod.migrateConversations({}, 0)).toEqual(empty);
  });

  it.each([null, undefined, 'garbage', 42, true])('starts empty from %j', (persisted) => {
    expect(mod.migrateConversations(persisted, 0)).toEqual(empty);
    expect(mod.migrateConversations(persisted, 1)).toEqual(empty);
    expect(mod.migrateConversations(persisted, 2)).toEqual(empty);
    expect(mod.migrateConversations(persisted, 3)).toEqual(empty);
  });

  it('gives version 1 entries a lastViewedAt of their last activity, keeping everything else', () => {
    const v1 = {
      recent: [{ conversationId: 'c1', workspace: 'demo', lastActivity: 5, preview: 'Hi', messageCount: 2 }],
      currentByWorkspace: { demo: 'c1' },
      preferences: { model: 'claude-opus-4-1', mode: 'plan' },
    };
    expect(mod.migrateConversations(v1, 1)).toEqual({
      recent: [{ conversationId: 'c1', workspace: 'demo', lastActivity: 5, preview: 'Hi', messageCount: 2, lastViewedAt: 5 }],
      currentByWorkspace: { demo: 'c1' },
      preferences: { model: 'claude-opus-4-1', mode: 'plan' },
      notifications: defaultNotifications,
    });
    expect(mod.migrateConversations({ recent: 'garbage' }, 1)).toEqual(empty);
  });

  it('gives version 2 the default notification settings, keeping everything else', () => {
    const v2 = {
      recent: [{ conversationId: 'c1', workspace: 'demo', lastActivity: 5, preview: 'Hi', messageCount: 2, lastViewedAt: 9 }],
      currentByWorkspace: { demo: 'c1' },
      preferences: { model: 'claude-opus-4-1', mode: 'plan' },
    };
    expect(mod.migrateConversations(v2, 2)).toEqual({ ...v2, notifications: { enabled: true, showPreview: false } });
  });

  it('keeps version 3 notification settings and completes partial or broken ones', () => {
    const v3 = { ...empty, notifications: { enabled: false, showPreview: true } };
    expect(mod.migrateConversations(v3, 3)).toEqual(v3);
    expect(mod.migrateConversations({ notifications: { showPreview: true } }, 3).notifications).toEqual({ enabled: true, showPreview: true });
    expect(mod.migrateConversations({ notifications: 'garbage' }, 3).notifications).toEqual(defaultNotifications);
    expect(mod.migrateConversations({ notifications: null }, 3).notifications).toEqual(defaultNotifications);
  });

  it('fills in missing fields of a later version', () => {
    expect(mod.migrateConversations({ currentByWorkspace: { demo: 'c1' } }, 1)).toEqual({ ...empty, currentByWorkspace: { demo: 'c1' } });
    expect(mod.migrateConversations({ currentByWorkspace: { demo: 'c1' } }, 2)).toEqual({ ...empty, currentByWorkspace: { demo: 'c1' } });
    expect(mod.migrateConversations({ currentByWorkspace: { demo: 'c1' } }, 3)).toEqual({ ...empty, currentByWorkspace: { demo: 'c1' } });
  });
});

describe('useConversationsStore', () => {
  const store = () => mod.useConversationsStore;
  beforeEach(() => {
    storage.clear();
    store().setState({ recent: [], currentByWorkspace: {} });
  });

  it('puts the most recently touched conversation first and keeps at most 10', () => {
    for (let i = 0; i < 12; i++)
      store()
        .getState()
        .touch({ conversationId: `c${i}`, workspace: 'demo' });
    store().getState().touch({ conversationId: 'c5', workspace: 'demo' });
    const ids = store()
      .getState()
      .recent.map((entry) => entry.conversationId);
    expect(ids).toEqual(['c5', 'c11', 'c10', 'c9', 'c8', 'c7', 'c6', 'c4', 'c3', 'c2']);
    expect(ids).toHaveLength(mod.MAX_RECENT);
  });

  it('keeps the preview and message count when a touch does not give them, and updates lastActivity', () => {
    vi.useFakeTimers({ now: 1_000 });
    try {
      store().getState().touch({ conversationId: 'c1', workspace: 'demo', preview: 'Summarize README', messageCount: 1 });
      vi.setSystemTime(5_000);
      store().getState().touch({ conversationId: 'c1', workspace: 'demo' });
      expect(store().getState().recent).toEqual([{ conversationId: 'c1', workspace: 'demo', lastActivity: 5_000, preview: 'Summarize README', messageCount: 1, lastViewedAt: 1_000 }]);
      store().getState().touch({ conversationId: 'c1', workspace: 'demo', messageCount: 3 });
      expect(store().getState().recent[0]).toMatchObject({ preview: 'Summarize README', messageCount: 3 });
    } finally {
      vi.useRealTimers();
    }
  });

  it('remembers the current conversation per workspace', () => {
    store().getState().setCurrent('demo', 'c1');
    store().getState().setCurrent('docs', 'c2');
    store().getState().setCurrent('demo', 'c3');
    expect(store().getState().currentByWorkspace).toEqual({ demo: 'c3', docs: 'c2' });
  });

  it('persists only the data, under its name and version', () => {
    store().getState().setCurrent('demo', 'c1');
    const saved = JSON.parse(storage.get('tether-conversations') ?? 'null');
    expect(saved.version).toBe(3);
    expect(Object.keys(saved.state).sort()).toEqual(['currentByWorkspace', 'notifications', 'preferences', 'recent']);
    expect(saved.state.currentByWorkspace).toEqual({ demo: 'c1' });
  });

  it('migrates a version 0 value when it hydrates', async () => {
    const v0 = { sessions: [{ conversationId: 'old', workspace: 'demo', lastActivity: 7 }], currentConversationId: 'old', currentWorkspace: 'demo' };
    storage.set('tether-conversations', JSON.stringify({ state: v0, version: 0 }));
    await store().persist.rehydrate();
    expect(store().getState().recent).toEqual([{ conversationId: 'old', workspace: 'demo', lastActivity: 7, preview: '', messageCount: 0, lastViewedAt: 7 }]);
    expect(store().getState().currentByWorkspace).toEqual({ demo: 'old' });
    expect(typeof store().getState().touch).toBe('function');
  });

  it('changes notification settings one field at a time, and persists them', () => {
    store().setState({ notifications: defaultNotifications });
    store().getState().setNotificationSettings({ showPreview: true });
    expect(store().getState().notifications).toEqual({ enabled: true, showPreview: true });
    store().getState().setNotificationSettings({ enabled: false });
    expect(store().getState().notifications).toEqual({ enabled: false, showPreview: true });
    expect(JSON.parse(storage.get('tether-conversations')!).state.notifications).toEqual({ enabled: false, showPreview: true });
  });

  it('marks a conversation viewed, only ever forward, without reordering the list', () => {
    vi.useFakeTimers({ now: 1_000 });
    try {
      store().getState().touch({ conversationId: 'c1', workspace: 'demo' });
      store().getState().touch({ conversationId: 'c2', workspace: 'demo' });
      vi.setSystemTime(9_000);
      store().getState().markViewed('c1');
      expect(
        store()
          .getState()
          .recent.map((entry) => [entry.conversationId, entry.lastViewedAt, entry.lastActivity]),
      ).toEqual([
        ['c2', 1_000, 1_000],
        ['c1', 9_000, 1_000],
      ]);
      // A server time from before (the finish of a run seen already) does not move it back.
      store().getState().markViewed('c1', 4_000);
      expect(store().getState().recent[1]!.lastViewedAt).toBe(9_000);
      store().getState().markViewed('c1', 12_000);
      expect(store().getState().recent[1]!.lastViewedAt).toBe(12_000);
      const before = store().getState();
      store().getState().markViewed('not-in-the-list');
      expect(store().getState()).toBe(before);
    } finally {
      vi.useRealTimers();
    }
  });

  it("reads another tab's writes back in when its storage key changes", async () => {
    const tabWindow = new EventTarget();
    vi.stubGlobal('window', tabWindow);
    const stop = mod.syncConversationsAcrossTabs();
    try {
      store().getState().touch({ conversationId: 'mine', workspace: 'demo' });
      const theirs = JSON.parse(storage.get('tether-conversations')!);
      theirs.state.recent[0].lastViewedAt = 99_999_999_999_999;
      storage.set('tether-conversations', JSON.stringify(theirs));

      tabWindow.dispatchEvent(Object.assign(new Event('storage'), { key: 'some-other-key' }));
      await Promise.resolve();
      expect(store().getState().recent[0]!.lastViewedAt).not.toBe(99_999_999_999_999);

      tabWindow.dispatchEvent(Object.assign(new Event('storage'), { key: 'tether-conversations' }));
      await vi.waitFor(() => expect(store().getState().recent[0]!.lastViewedAt).toBe(99_999_999_999_999));
    } finally {
      stop();
      vi.unstubAllGlobals();
    }
  });
});
