// @ts-check
import { readFileSync } from 'node:fs';
import { serwist } from '@serwist/next/config';

/**
 * Serwist's configurator mode: `next build` (Turbopack) builds the app as usual, then
 * `serwist build` bundles `app/sw.ts` into `public/sw.js` with a precache manifest of the
 * static assets and the icons, and the offline fallback page.
 */
export default await serwist({
  swSrc: 'app/sw.ts',
  swDest: 'public/sw.js',
  // The worker is small; a source map next to it would only be precached or served for nothing.
  esbuildOptions: { sourcemap: false },
  // The first visit's sample screenshot is fetched when its example is picked, not by every install.
  globIgnores: ['public/examples/**'],
  // The offline page is rendered per request (its script nonce, see proxy.ts), so it is no file
  // of the build: the worker fetches it at install, and again after each new build.
  additionalPrecacheEntries: [{ url: '/~offline', revision: readFileSync('.next/BUILD_ID', 'utf8').trim() }],
});
