'use client';

import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { useConversationsStore } from '@/features/conversations';
import { isApiError } from '@/lib/api-client';
import { deleteSubscription, fetchVapidPublicKey, saveSubscription } from '../api/push-api';
import { base64UrlToBytes, bytesToBase64Url } from '../shared/messages';
import { readPushState, sameSubscription, writePushState, type PushState } from '../shared/push-state';

/**
 * Where this browser stands on push:
 * - 'ios-browser': iPhone/iPad Safari outside a home-screen app, where Web Push does not exist;
 * - 'unsupported': no service worker, Push API or notifications;
 * - 'supported': it can ask.
 */
export type PushSupport = 'supported' | 'ios-browser' | 'unsupported';

export function detectPushSupport(): PushSupport {
  const ios = /iPad|iPhone|iPod/.test(navigator.userAgent) || (navigator.platform === 'MacIntel' && navigator.maxTouchPoints > 1);
  const standalone = (navigator as Navigator & { standalone?: boolean }).standalone === true;
  if (ios && !standalone) return 'ios-browser';
  return 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window ? 'supported' : 'unsupported';
}

/**
 * Push for the tab's conversations: asks for permission only when `follow` is called (from a
 * click), subscribes with the server's VAPID key and sends the subscription for the
 * conversation; on every load it checks the subscription still is the one the server has and
 * re-sends it if not. The settings (on/off, message preview) apply to every followed conversation.
 */
export function usePush(conversationId: string | null) {
  const { enabled, showPreview } = useConversationsStore((state) => state.notifications);
  const setNotificationSettings = useConversationsStore((state) => state.setNotificationSettings);
  const support = useSyncExternalStore(noChanges, detectPushSupport, () => 'unsupported' as const);
  const browserPermission = useSyncExternalStore(onPermissionChange, currentPermission, () => 'default' as const);
  // What the prompt answered, until the browser's own value catches up.
  const [answered, setPermission] = useState<NotificationPermission | null>(null);
  const permission = answered ?? browserPermission;
  const [state, setState] = useState<PushState | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const syncing = useRef<Promise<void>>(Promise.resolve());

  // One change at a time, in order (a click while the load-time check runs waits for it).
  const serially = useCallback((task: () => Promise<void>) => {
    const next = syncing.current.then(task, task);
    syncing.current = next.catch(() => {});
    return next;
  }, []);

  // On load and whenever the settings change: bring the server in line with this browser.
  useEffect(() => {
    if (support !== 'supported') return;
    void serially(async () => {
      const stored = await readPushState();
      setState(stored);
      if (!stored || stored.conversations.length === 0) return;
      if (!enabled || Notification.permission !== 'granted') {
        setState(await forgetAll(stored));
        return;
      }
      const registration = await navigator.serviceWorker.ready;
      const key = await fetchVapidPublicKey();
      const subscription = (await ensureSubscription(registration, key)).toJSON();
      if (sameSubscription(subscription, stored.subscription) && stored.applicationServerKey === key && stored.showPreview === showPreview) {
        setState(stored);
        return;
      }
      setState(await sendToAll({ stored, subscription, key, showPreview }));
    }).catch(() => {
      // The server or the push service is unreachable now: the next load tries again.
    });
  }, [support, enabled, showPreview, serially]);

  const follow = useCallback(async () => {
    if (!conversationId) return;
    setError(null);
    setNotificationSettings({ enabled: true }); // asked again after "Turn off on this device"

    // Asked first, straight from the click: Safari only shows the prompt for a user gesture.
    const answer = Notification.permission === 'default' ? await Notification.requestPermission() : Notification.permission;
    setPermission(answer);
    if (answer !== 'granted') return;
    setBusy(true);
    try {
      await serially(async () => {
        const registration = await navigator.serviceWorker.ready;
        const key = await fetchVapidPublicKey();
        const subscription = (await ensureSubscription(registration, key)).toJSON();
        await saveSubscription({ conversationId, subscription, showPreview });
        const stored = await readPushState();
        const conversations = [conversationId, ...(stored?.conversations ?? []).filter((id) => id !== conversationId)];
        const next: PushState = { applicationServerKey: key, subscription, conversations, showPreview };
        await writePushState(next);
        setState(next);
      });
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : 'Could not turn notifications on.');
    } finally {
      setBusy(false);
    }
  }, [conversationId, serially, showPreview, setNotificationSettings]);

  /** This device stops getting notifications, for every conversation (the load-time check unsubscribes them). */
  const stopAll = useCallback(() => setNotificationSettings({ enabled: false }), [setNotificationSettings]);

  // Nothing claims to be on when it isn't: turned off, or permission withdrawn, follows nothing.
  const followed = enabled && permission === 'granted' ? (state?.conversations ?? []) : [];
  return {
    support,
    permission,
    following: conversationId !== null && followed.includes(conversationId),
    /** How many conversations this device gets notifications for. */
    followedCount: followed.length,
    busy,
    error,
    follow,
    stopAll,
  };
}

export type Push = ReturnType<typeof usePush>;

const noChanges = () => () => {};

function currentPermission(): NotificationPermission {
  return 'Notification' in window ? Notification.permission : 'default';
}

/** Permission changed in the browser's settings while the page is open. */
function onPermissionChange(onChange: () => void): () => void {
  let status: PermissionStatus | null = null;
  let stopped = false;
  void navigator.permissions
    ?.query({ name: 'notifications' })
    .then((result) => {
      if (stopped) return;
      status = result;
      status.addEventListener('change', onChange);
    })
    .catch(() => {});
  return () => {
    stopped = true;
    status?.removeEventListener('change', onChange);
  };
}

/** The browser's subscription for this VAPID key: the existing one, or a new one. */
async function ensureSubscription(registration: ServiceWorkerRegistration, key: string): Promise<PushSubscription> {
  const existing = await registration.pushManager.getSubscription();
  const existingKey = existing?.options.applicationServerKey;
  if (existing && existingKey && bytesToBase64Url(existingKey) === key) return existing;
  // Made with another key (the server's keys changed): it can't be reused.
  if (existing) await existing.unsubscribe().catch(() => false);
  return registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: base64UrlToBytes(key) });
}

/** The subscription changed (or the preview setting did): tell the server, for every followed conversation. */
async function sendToAll({ stored, subscription, key, showPreview }: { stored: PushState; subscription: PushSubscriptionJSON; key: string; showPreview: boolean }): Promise<PushState> {
  const kept: string[] = [];
  for (const conversationId of stored.conversations) {
    try {
      await saveSubscription({ conversationId, subscription, showPreview });
      kept.push(conversationId);
    } catch (error) {
      // Gone from the server (expired with its conversation): nothing left to follow.
      if (!isApiError(error, 'not_found:conversation')) kept.push(conversationId);
    }
    const old = stored.subscription?.endpoint;
    if (old && old !== subscription.endpoint) await deleteSubscription({ conversationId, endpoint: old }).catch(() => {});
  }
  const next: PushState = { applicationServerKey: key, subscription, conversations: kept, showPreview };
  await writePushState(next);
  return next;
}

/** Notifications turned off (or permission withdrawn): the server stops sending to this browser. */
async function forgetAll(stored: PushState): Promise<PushState> {
  const endpoint = stored.subscription?.endpoint;
  if (endpoint) {
    await Promise.all(stored.conversations.map((conversationId) => deleteSubscription({ conversationId, endpoint }).catch(() => {})));
  }
  const next: PushState = { ...stored, conversations: [] };
  await writePushState(next);
  return next;
}
