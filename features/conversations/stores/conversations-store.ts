'use client';

import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';
import type { AgentMode } from '@/features/runs';

export const MAX_RECENT = 10;

export type RecentConversation = {
  conversationId: string;
  workspace: string;
  lastActivity: number;
  preview: string;
  messageCount: number;
};

type PersistedState = {
  recent: RecentConversation[];
  /** The conversation a new tab or a restarted browser reopens, per workspace. */
  currentByWorkspace: Record<string, string>;
  preferences: { model: string | null; mode: AgentMode };
};

type Actions = {
  setCurrent: (workspace: string, conversationId: string) => void;
  /** Records activity in a conversation: it moves to the top of the recent list. */
  touch: (entry: { conversationId: string; workspace: string; preview?: string; messageCount?: number }) => void;
  forget: (conversationId: string) => void;
  setPreferences: (preferences: Partial<PersistedState['preferences']>) => void;
};

export type ConversationsState = PersistedState & Actions;

const initialState: PersistedState = { recent: [], currentByWorkspace: {}, preferences: { model: null, mode: 'build' } };

/**
 * What the browser owns about conversations, kept in localStorage. Hydration is manual
 * (`skipHydration`), after mount, so the server and the first client render agree.
 */
export const useConversationsStore = create<ConversationsState>()(
  persist(
    (set) => ({
      ...initialState,
      setCurrent: (workspace, conversationId) =>
        set((state) => ({ currentByWorkspace: { ...state.currentByWorkspace, [workspace]: conversationId } })),
      touch: ({ conversationId, workspace, preview, messageCount }) =>
        set((state) => {
          const existing = state.recent.find((entry) => entry.conversationId === conversationId);
          const updated: RecentConversation = {
            conversationId,
            workspace,
            lastActivity: Date.now(),
            preview: preview ?? existing?.preview ?? '',
            messageCount: messageCount ?? existing?.messageCount ?? 0,
          };
          const others = state.recent.filter((entry) => entry.conversationId !== conversationId);
          return { recent: [updated, ...others].slice(0, MAX_RECENT) };
        }),
      forget: (conversationId) =>
        set((state) => ({ recent: state.recent.filter((entry) => entry.conversationId !== conversationId) })),
      setPreferences: (preferences) => set((state) => ({ preferences: { ...state.preferences, ...preferences } })),
    }),
    {
      name: 'tether-conversations',
      version: 1,
      storage: createJSONStorage(() => localStorage),
      skipHydration: true,
      partialize: ({ recent, currentByWorkspace, preferences }) => ({ recent, currentByWorkspace, preferences }),
      migrate: (persisted, version) => migrateConversations(persisted, version),
    },
  ),
);

/** Version 0 kept `sessions` (no preview or count) and a single current conversation. */
export function migrateConversations(persisted: unknown, version: number): PersistedState {
  if (typeof persisted !== 'object' || persisted === null) return initialState;
  if (version === 0) {
    const old = persisted as { sessions?: Array<{ conversationId: string; workspace: string; lastActivity: number }>; currentConversationId?: string; currentWorkspace?: string };
    const recent = (old.sessions ?? []).slice(0, MAX_RECENT).map((entry) => ({ ...entry, preview: '', messageCount: 0 }));
    const currentByWorkspace = old.currentConversationId && old.currentWorkspace ? { [old.currentWorkspace]: old.currentConversationId } : {};
    return { ...initialState, recent, currentByWorkspace };
  }
  return { ...initialState, ...(persisted as Partial<PersistedState>) };
}
