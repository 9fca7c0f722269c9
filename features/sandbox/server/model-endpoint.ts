import 'server-only';
import { serverEnv } from '@/lib/env';
import { logger } from '@/lib/logger';
import { startMessagesApi } from '@/lib/messages-api/server';
import { demoResponder } from './demo-model';

export type ModelEndpoint = { apiKey: string; baseUrl: string | undefined; demo: boolean };

type Global = { tetherDemoModelUrl?: Promise<string> };
const store = globalThis as Global;

export function usesDemoModel(): boolean {
  return !serverEnv().ANTHROPIC_API_KEY;
}

/** The real API when a key is configured; otherwise the local demo model, started once per process. */
export async function modelEndpoint(): Promise<ModelEndpoint> {
  const env = serverEnv();
  if (env.ANTHROPIC_API_KEY) return { apiKey: env.ANTHROPIC_API_KEY, baseUrl: env.ANTHROPIC_BASE_URL, demo: false };
  store.tetherDemoModelUrl ??= startMessagesApi({ responder: demoResponder }).then((api) => {
    logger.info('demo model listening', { url: api.url });
    return api.url;
  });
  return { apiKey: 'demo-model', baseUrl: await store.tetherDemoModelUrl, demo: true };
}
