import { headers } from 'next/headers';
import { serverEnv } from '@/lib/env';

export default async function NotFound() {
  const host = (await headers()).get('host') ?? '';
  const port = host.match(/:\d+$/)?.[0] ?? '';
  const demo = `http://demo.${serverEnv().TETHER_BASE_DOMAIN}${port}`;
  return (
    <main className="not-found">
      <h1>No workspace here</h1>
      <p>
        There is no workspace at <code>{host}</code>. Check the address, or ask whoever runs this server to create it (<code>npm run workspace -- create NAME</code>).
      </p>
      <p>
        <a href={demo}>Open the demo workspace</a>
      </p>
    </main>
  );
}
