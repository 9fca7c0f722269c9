import 'server-only';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { SpawnedProcess, SpawnOptions } from '@anthropic-ai/claude-agent-sdk';
import { logger } from '@/lib/logger';
import { startLoopbackModelBridge, type BridgeDoor, type ModelBridge } from '@/lib/sandbox/model-bridge';
import type { ModelEndpoint } from './model-endpoint';

/**
 * Agents without the sandbox (local development only) still reach the model API through a
 * bridge, so every request is metered and passes the same door as a sandboxed agent's: one bridge
 * on loopback for the whole server, a token per process.
 */

type LoopbackBridge = ModelBridge & { url: string };
const store = globalThis as { tetherLoopbackBridge?: Promise<LoopbackBridge> };

/** Started on first use; the endpoint is fixed for the server's life (it comes from env). */
export function loopbackBridge(endpoint: ModelEndpoint): Promise<LoopbackBridge> {
  return (store.tetherLoopbackBridge ??= startLoopbackModelBridge({
    upstream: { baseUrl: endpoint.baseUrl, apiKey: endpoint.apiKey },
    onError: (error) => logger.error('model bridge failed', { error }),
  }));
}

export function unconfinedSpawner({ bridge, door }: { bridge: LoopbackBridge; door: BridgeDoor }): (options: SpawnOptions) => SpawnedProcess {
  return ({ command, args, cwd, env, signal }) => {
    const token = randomBytes(32).toString('base64url');
    bridge.doors.set(token, door);
    const childEnv: SpawnOptions['env'] = { ...env, ANTHROPIC_API_KEY: token, ANTHROPIC_BASE_URL: bridge.url };
    const child = spawn(command, args, {
      cwd,
      env: childEnv as NodeJS.ProcessEnv,
      signal,
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    child.once('exit', () => bridge.doors.delete(token));
    return child as SpawnedProcess;
  };
}
