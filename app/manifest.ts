import type { MetadataRoute } from 'next';

/**
 * The installable app. Every workspace is its own origin (`demo.example.com`), so the start URL
 * `/` is that workspace: installed from there, the app opens on its current conversation.
 */
export default function manifest(): MetadataRoute.Manifest {
  return {
    name: 'Tether',
    short_name: 'Tether',
    description: 'Work with a Claude agent on your workspace. Your conversation and your run are never lost.',
    id: '/',
    start_url: '/',
    scope: '/',
    display: 'standalone',
    background_color: '#f7f7f8',
    theme_color: '#1f2937',
    icons: [
      { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
      { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
      { src: '/icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
    ],
  };
}
