'use client';

import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';
import type { AgentMode } from '../vocabulary';
import { MAX_RECENT } from '../limits';

export { MAX_RECENT };

const STORAGE_KEY = 'tether-conversations';

export type RecentConversation = {
  conversationId: string;
  workspace: string;
  lastActivity: number;
  preview: string;
  messageCount: number;
  /** When a tab of this browser last showed the conversation (ms): later finishes are "New". */
  lastViewedAt: number;
};

type PersistedState = {
  recent: RecentConversation[];
  /** The conversation a new tab or a restarted browser reopens, per workspace. */
  currentByWorkspace: Record<string, string>;
  preferences: { model: string | null; mode: AgentMode };
  /**
   * Push notifications as the visitor wants them in this browser: `enabled` off means no
   * offers and no subscriptions; `showPreview` lets a notification quote the conversation.
   */
  notifications: NotificationSettings;
};

export type NotificationSettings = { enabled: boolean; showPreview: boolean };

type Actions = {
  setCurrent: (workspace: string, conversationId: string) => void;
  /** Records activity in a conversation: it moves to the top of the recent list. */
  touch: (entry: { conversationId: string; workspace: string; preview?: string; messageCount?: number }) => void;
  /** The conversation is on screen now (or was at `at`): anything that finished before is seen. */
  markViewed: (conversationId: string, at?: number) => void;
  forget: (conversationId: string) => void;
  setPreferences: (preferences: Partial<PersistedState['preferences']>) => void;
  setNotificationSettings: (settings: Partial<NotificationSettings>) => void;
};

export type ConversationsState = PersistedState & Actions;

const initialState: PersistedState = {
  recent: [],
  currentByWorkspace: {},
  preferences: { model: null, mode: 'build' },
  notifications: { enabled: true, showPreview: false },
};

/**
 * What the browser owns about conversations, kept in localStorage. Hydration is manual
 * (`skipHydration`), after mount, so the server and the first client render agree.
 */
export const useConversationsStore = create<ConversationsState>()(
  persist(
    (set) => ({
      ...initialState,
      setCurrent: (workspace, conversationId) => set((state) => ({ currentByWorkspace: { ...state.currentByWorkspace, [workspace]: conversationId } })),
      touch: ({ conversationId, workspace, preview, messageCount }) =>
        set((state) => {
          const existing = state.recent.find((entry) => entry.conversationId === conversationId);
          const updated: RecentConversation = {
            conversationId,
            workspace,
            lastActivity: Date.now(),
            preview: preview ?? existing?.preview ?? '',
            messageCount: messageCount ?? existing?.messageCount ?? 0,
            // Touched means shown in this tab: a conversation new to the list starts out seen.
            lastViewedAt: existing?.lastViewedAt ?? Date.now(),
          };
          const others = state.recent.filter((entry) => entry.conversationId !== conversationId);
          return { recent: [updated, ...others].slice(0, MAX_RECENT) };
        }),
      markViewed: (conversationId, at = Date.now()) =>
        set((state) => {
          const entry = state.recent.find((candidate) => candidate.conversationId === conversationId);
          // Unchanged state is not written, so tabs don't wake each other up for nothing.
          if (!entry || entry.lastViewedAt >= at) return state;
          return { recent: state.recent.map((candidate) => (candidate === entry ? { ...entry, lastViewedAt: at } : candidate)) };
        }),
      forget: (conversationId) => set((state) => ({ recent: state.recent.filter((entry) => entry.conversationId !== conversationId) })),
      setPreferences: (preferences) => set((state) => ({ preferences: { ...state.preferences, ...preferences } })),
      setNotificationSettings: (settings) => set((state) => ({ notifications: { ...state.notifications, ...settings } })),
    }),
    {
      name: STORAGE_KEY,
      version: 3,
      storage: createJSONStorage(() => localStorage),
      skipHydration: true,
      partialize: ({ recent, currentByWorkspace, preferences, notifications }) => ({ recent, currentByWorkspace, preferences, notifications }),
      migrate: (persisted, version) => migrateConversations(persisted, version),
    },
  ),
);

type V2State = Omit<PersistedState, 'notifications'>;
type V1Entry = Omit<RecentConversation, 'lastViewedAt'>;
type V1State = Omit<V2State, 'recent'> & { recent: V1Entry[] };

/**
 * Brings a stored value of any earlier version up to date, one version at a time.
 * Version 0 kept `sessions` (no preview or count) and a single current conversation;
 * version 1 had no `lastViewedAt`; version 2 had no notification settings.
 */
export function migrateConversations(persisted: unknown, version: number): PersistedState {
  if (typeof persisted !== 'object' || persisted === null) return initialState;
  let state = persisted as Partial<V1State> | Partial<V2State> | Partial<PersistedState>;
  if (version === 0) {
    const old = persisted as { sessions?: Array<{ conversationId: string; workspace: string; lastActivity: number }>; currentConversationId?: string; currentWorkspace?: string };
    const recent = (old.sessions ?? []).slice(0, MAX_RECENT).map((entry) => ({ ...entry, preview: '', messageCount: 0 }));
    const currentByWorkspace = old.currentConversationId && old.currentWorkspace ? { [old.currentWorkspace]: old.currentConversationId } : {};
    state = { recent, currentByWorkspace } satisfies Partial<V1State>;
  }
  if (version <= 1) {
    // The last activity this browser saw is when it last had the conversation in front of it: a
    // run that finished after that (say the tab was closed mid-run) is rightly new.
    const { recent } = state as Partial<V1State>;
    state = { ...state, recent: Array.isArray(recent) ? recent.map((entry) => ({ ...entry, lastViewedAt: entry.lastActivity })) : [] };
  }
  if (version <= 2) {
    // Nobody had been offered notifications yet: the defaults (offered, no preview) apply.
    state = { ...(state as Partial<V2State>), notifications: initialState.notifications } satisfies Partial<PersistedState>;
  }
  const merged = { ...initialState, ...(state as Partial<PersistedState>) };
  const notifications: unknown = merged.notifications;
  return { ...merged, notifications: { ...initialState.notifications, ...(typeof notifications === 'object' ? notifications : {}) } };
}

/**
 * Keeps this tab's store in step with the others': another tab's write (a new conversation, a
 * badge cleared there) is read back in. Call once, after the first hydration; returns the cleanup.
 */
export function syncConversationsAcrossTabs(): () => void {
  const onStorage = (event: StorageEvent) => {
    if (event.key === STORAGE_KEY) void useConversationsStore.persist.rehydrate();
  };
  window.addEventListener('storage', onStorage);
  return () => window.removeEventListener('storage', onStorage);
}
