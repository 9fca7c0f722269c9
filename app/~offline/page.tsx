import type { Metadata } from 'next';

export const metadata: Metadata = { title: 'Offline · Tether' };
// Rendered per request for its script nonce (proxy.ts); the service worker precaches it as served.
export const dynamic = 'force-dynamic';

/** Shown by the service worker when a page can't be loaded (precached at install). */
export default function OfflinePage() {
  return (
    <main className="not-found">
      <h1>You are offline</h1>
      <p>Tether needs the network to reach your workspace. Your conversations are kept on the server: nothing is lost.</p>
      <p>
        <a href="/">Try again</a>
      </p>
    </main>
  );
}
