import type { NextConfig } from 'next';
import { serverEnv } from './lib/env';

// Validate the configuration when the server starts or builds: a bad value stops it here, by name.
serverEnv();

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The SDK runs its CLI from a native binary in an optional package that tracing can't see.
  outputFileTracingIncludes: { '/api/**': ['./node_modules/@anthropic-ai/claude-agent-sdk-linux-*/**'] },
};

export default nextConfig;
