import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import './globals.css';

export const metadata: Metadata = {
  title: 'Tether',
  description: 'Work with a Claude agent on your workspace. Your conversation and your run are never lost.',
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1, themeColor: '#1f2937' };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
