'use client';

const KEY = 'tether-device';

/**
 * This browser's own random id, kept in localStorage: sent with an approval decision, so each
 * card can say whether it was decided here or on another device. It grants nothing.
 */
export function deviceId(): string {
  let id = localStorage.getItem(KEY);
  if (!id) {
    id = crypto.randomUUID();
    localStorage.setItem(KEY, id);
  }
  return id;
}
