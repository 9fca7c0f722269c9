import type { NextConfig } from 'next';
import { serverEnv } from './lib/env';
import { securityHeaders } from './lib/security-headers';

// Validate the configuration when the server starts or builds: a bad value stops it here, by name.
const env = serverEnv();

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The SDK runs its CLI from a native binary in an optional package that tracing can't see.
  outputFileTracingIncludes: { '/api/**': ['./node_modules/@anthropic-ai/claude-agent-sdk-linux-*/**'] },
  // Every path: pages, public files, the service worker, and route handlers' answers (Next sets
  // these first and keeps them over a handler's own value for the same header).
  async headers() {
    return [{ source: '/(.*)', headers: securityHeaders({ development: env.NODE_ENV === 'development' }) }];
  },
};

export default nextConfig;
