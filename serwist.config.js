// @ts-check
import { serwist } from '@serwist/next/config';

/**
 * Serwist's configurator mode: `next build` (Turbopack) builds the app as usual, then
 * `serwist build` bundles `app/sw.ts` into `public/sw.js` with a precache manifest of the
 * static assets, the icons and the prerendered pages (the offline fallback among them).
 */
export default await serwist({
  swSrc: 'app/sw.ts',
  swDest: 'public/sw.js',
  // The worker is small; a source map next to it would only be precached or served for nothing.
  esbuildOptions: { sourcemap: false },
  // The first visit's sample screenshot is fetched when its example is picked, not by every install.
  globIgnores: ['public/examples/**'],
});
