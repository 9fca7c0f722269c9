import type { NextConfig } from 'next';
import { serverEnv } from './lib/env';
import { SANDBOXED_CONTENT_POLICY, securityHeaders } from './lib/security-headers';

// Validate the configuration when the server starts or builds: a bad value stops it here, by name.
const env = serverEnv();

/** Where attachments are served (features/attachments): bytes a visitor uploaded, never a page. */
const SANDBOXED_PATHS = ['/api/conversations/:id/attachments/:attachmentId', '/api/shared/attachments/:attachmentId'];

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Next loads every route's code at start by default (~40 MB of heap that idles): each loads on its first request instead.
  experimental: { preloadEntriesOnStart: false },
  // The SDK runs its CLI from a native binary in an optional package that tracing can't see.
  outputFileTracingIncludes: { '/api/**': ['./node_modules/@anthropic-ai/claude-agent-sdk-linux-*/**'] },
  // Every path: pages, public files, the service worker, and route handlers' answers (Next sets
  // these first and keeps them over a handler's own value for the same header). A page's CSP is
  // then replaced by the proxy's, which names the page's script nonce (the proxy's headers win).
  async headers() {
    return [
      { source: '/(.*)', headers: securityHeaders({ development: env.NODE_ENV === 'development' }) },
      // Visitors' uploads get a policy of their own. Listed after the rule above, whose CSP it then
      // replaces (of two rules setting one header, Next keeps the later one), and which the route's
      // own header could not override.
      ...SANDBOXED_PATHS.map((source) => ({ source, headers: [{ key: 'Content-Security-Policy', value: SANDBOXED_CONTENT_POLICY }] })),
    ];
  },
};

export default nextConfig;
