import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import './globals.css';

export const metadata: Metadata = {
  title: 'Tether',
  description: 'Work with a Claude agent on your workspace. Your conversation and your run are never lost.',
  applicationName: 'Tether',
  // app/manifest.ts is linked by Next itself; iOS reads these instead (a home-screen app gets push).
  appleWebApp: { capable: true, title: 'Tether', statusBarStyle: 'default' },
  icons: {
    icon: [{ url: '/icons/icon-192.png', sizes: '192x192', type: 'image/png' }],
    apple: [{ url: '/icons/apple-touch-icon.png', sizes: '180x180', type: 'image/png' }],
  },
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1, themeColor: '#1f2937' };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
