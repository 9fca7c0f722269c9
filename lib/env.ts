import { cpus } from 'node:os';
import path from 'node:path';
import { z } from 'zod';

/**
 * The server's configuration, validated once. Every other module reads settings from here,
 * never from process.env, so a bad value fails at start with a message naming the variable.
 */

const optionalString = z
  .string()
  .trim()
  .transform((value) => value || undefined)
  .optional();

const list = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value) =>
      value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().min(1)).min(1));

/**
 * Why a VAPID subject would be refused, or null. Push services need a real contact: `mailto:` or
 * `https:`, and Apple answers BadJwtToken for a localhost one.
 */
export function vapidSubjectProblem(subject: string): string | null {
  let url: URL;
  try {
    url = new URL(subject);
  } catch {
    return 'a mailto: or https: URL such as mailto:admin@example.com';
  }
  if (url.protocol !== 'mailto:' && url.protocol !== 'https:') return 'must start with mailto: or https:';
  const host = (url.protocol === 'mailto:' ? (url.pathname.split('@')[1] ?? '') : url.hostname).toLowerCase().replace(/^\[|\]$/g, '');
  if (!host) return url.protocol === 'mailto:' ? 'a mailto: address needs a domain (mailto:admin@example.com)' : 'needs a host';
  if (host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\./.test(host)) {
    return 'must not be localhost (Apple rejects it with BadJwtToken): use a real mailto: address or https: URL';
  }
  return null;
}

const base64urlBytes = (bytes: number) =>
  optionalString.refine((value) => value === undefined || (/^[A-Za-z0-9_-]+$/.test(value) && Buffer.from(value, 'base64url').length === bytes), `${bytes} bytes, URL-safe base64 without padding`);

// Exact host names or `*.suffix` patterns; IPv4 addresses too (tests add 127.0.0.1).
const HOST_PATTERN = /^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*$/;

const serverEnvSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    TETHER_DATA_DIR: z.string().default('./.data'),
    // The workspaces' folders; default `<data>/workspaces`. Several instances point it at one
    // shared volume, so they all see (and their agents edit) the same files.
    TETHER_WORKSPACES_DIR: z.string().min(1).optional(),
    TETHER_BASE_DOMAIN: z
      .string()
      .regex(/^[a-z0-9.-]+$/i, 'a host name such as example.com or localhost')
      .default('localhost'),
    SESSION_SECRET: z.string().min(32, 'at least 32 characters').optional(),
    // A conversation's sliding lifetime. SESSION_TTL_HOURS is its old name, still read (with a
    // warning at start) when the new one is unset, so existing deployments keep their setting.
    TETHER_CONVERSATION_TTL_HOURS: z.coerce.number().positive().optional(),
    SESSION_TTL_HOURS: z.coerce.number().positive().optional(),
    ANTHROPIC_API_KEY: optionalString,
    ANTHROPIC_BASE_URL: z.url().optional(),
    TETHER_MODELS: list('claude-sonnet-4-5,claude-opus-4-1,claude-haiku-4-5'),
    TETHER_AGENT_MAX_RETRIES: z.coerce.number().int().min(0).max(10).optional(),
    // Each agent process is a CLI child (~200 MB; its start costs ~0.5–0.8 CPU-s).
    TETHER_MAX_AGENT_PROCESSES: z.coerce
      .number()
      .int()
      .min(1)
      .max(256)
      .default(Math.max(2, 2 * cpus().length)),
    TETHER_RUN_QUEUE_LIMIT: z.coerce.number().int().min(0).max(10_000).default(20),
    TETHER_WARM_IDLE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(120),
    // Pre-warmed agents (README, "Pre-warmed agents"): idle CLIs kept per workspace that had a run in
    // the last TETHER_PREWARM_IDLE_MINUTES, each waiting for a new conversation's first message; 0: none.
    TETHER_PREWARMED_AGENTS: z.coerce.number().int().min(0).max(16).default(1),
    TETHER_PREWARM_IDLE_MINUTES: z.coerce.number().positive().max(1440).default(15),
    // The OS sandbox around every agent process (bubblewrap); see features/sandbox/server/agent-sandbox.ts.
    TETHER_BWRAP_PATH: z.string().min(1).default('bwrap'),
    TETHER_ALLOW_UNSANDBOXED: z.stringbool().default(false),
    TETHER_AGENT_MEMORY_MB: z.coerce.number().int().min(256).max(1_048_576).default(2048),
    // Fair use: each visitor's share of this server (README, "Limits").
    TETHER_RUNS_AT_ONCE_PER_VISITOR: z.coerce.number().int().min(1).max(100).default(2),
    TETHER_RUNS_PER_VISITOR_PER_HOUR: z.coerce.number().int().min(1).max(100_000).default(60),
    TETHER_NEW_VISITORS_PER_ADDRESS_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(60),
    TETHER_CONVERSATIONS_PER_VISITOR_PER_DAY: z.coerce.number().int().min(1).max(100_000).default(100),
    TETHER_VIEWERS_PER_RUN: z.coerce.number().int().min(1).max(100_000).default(200),
    TETHER_VIEWERS_PER_VISITOR: z.coerce.number().int().min(1).max(100_000).default(20),
    // Daily model spend (USD, sliding 24 h) per visitor and per workspace, across instances; 0 turns one off.
    TETHER_BUDGET_USD_PER_VISITOR_PER_DAY: z.coerce.number().min(0).max(1_000_000).default(2),
    TETHER_BUDGET_USD_PER_WORKSPACE_PER_DAY: z.coerce.number().min(0).max(1_000_000).default(20),
    TETHER_RUN_TIME_LIMIT_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
    TETHER_MAX_TURNS: z.coerce.number().int().min(1).max(1000).default(50),
    // Runs survive their server (README, "Runs"): how long SIGTERM lets runs finish before the
    // instance hands them over, and how often one run may be continued after its server went.
    TETHER_DRAIN_SECONDS: z.coerce.number().int().min(0).max(86_400).default(600),
    TETHER_CONTINUE_ATTEMPTS: z.coerce.number().int().min(0).max(10).default(1),
    // Ask mode: an approval nobody answers is denied after this long.
    TETHER_APPROVAL_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(86_400).default(1800),
    TETHER_MAX_BUDGET_USD: z.coerce.number().positive().optional(),
    // The model door (features/sandbox/server/model-door.ts): the output cap of one model
    // request (the most the CLI asks for), and requests in flight at once per agent process.
    TETHER_MAX_OUTPUT_TOKENS: z.coerce.number().int().min(1024).max(1_000_000).default(32_000),
    TETHER_MODEL_REQUESTS_AT_ONCE: z.coerce.number().int().min(1).max(64).default(4),
    // The web proxy of workspaces with allowWeb: connections at once per agent, megabytes per run.
    TETHER_WEB_CONNECTIONS_AT_ONCE: z.coerce.number().int().min(1).max(1024).default(8),
    TETHER_WEB_MB_PER_RUN: z.coerce.number().int().min(1).max(1_000_000).default(256),
    // Disk: each workspace's files on a size-limited image of their own (0: off, e.g. when a shared
    // volume enforces its own quota), and the free space kept on the data root for the database.
    TETHER_WORKSPACE_QUOTA_MB: z.coerce
      .number()
      .int()
      .min(0)
      .max(1_048_576)
      .refine((mb) => mb === 0 || mb >= 16, '0 (off) or at least 16')
      .default(1024),
    TETHER_DISK_RESERVE_MB: z.coerce.number().int().min(0).max(1_048_576).default(2048),
    // A run's snapshots of the workspace (features/changes/server/snapshots.ts): how long one may
    // take (past it the run does not start), and the largest file kept in one (larger: "not kept").
    TETHER_SNAPSHOT_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
    TETHER_SNAPSHOT_MAX_FILE_MB: z.coerce.number().positive().max(1024).default(10),
    // The most a workspace's snapshot store (its shadow repository, outside the files' quota) may
    // hold, in MiB: past it the oldest ended runs' snapshots go (their Undo then says it can't). 0: no bound.
    TETHER_SNAPSHOT_STORE_MB: z.coerce.number().min(0).max(1_048_576).default(2048),
    // Attachments (features/attachments): files per message, and MiB per file and per message. A
    // message's images and PDFs reach the model API base64-encoded in one request, which takes at
    // most 32 MiB: 24 MiB of files is what fits.
    TETHER_ATTACHMENTS_PER_MESSAGE: z.coerce.number().int().min(1).max(100).default(5),
    TETHER_ATTACHMENT_MAX_MB: z.coerce.number().positive().max(24).default(5),
    TETHER_ATTACHMENTS_MAX_MB_PER_MESSAGE: z.coerce.number().positive().max(24).default(20),
    // MiB of attachments one visitor may upload in any 24 h (sliding, across instances); 0 turns it off.
    TETHER_ATTACHMENT_MB_PER_VISITOR_PER_DAY: z.coerce.number().min(0).max(1_048_576).default(100),
    // Proxies whose X-Forwarded-For is believed (comma-separated addresses); none by default.
    TETHER_TRUSTED_PROXIES: z
      .string()
      .default('')
      .transform((value) =>
        value
          .split(',')
          .map((item) => item.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.union([z.ipv4(), z.ipv6()]))),
    DATABASE_URL: z.url().optional(),
    TETHER_PGLITE_SHARED_BUFFERS_MB: z.coerce.number().int().min(1).max(1024).optional(), // the embedded database's buffer pool (its memory only grows); unset: 8, lib/db/pglite.ts
    // Several instances: each run's live events go through Redis Streams, and Stop, approvals and
    // the visible-viewer signal reach the instance that runs it. Unset: all in process.
    REDIS_URL: z.url().optional(),
    SUPABASE_URL: z.url().optional(),
    // Where agents' transcripts are kept for history and resume: on this instance's disk only, or
    // also in the database (any instance then resumes any conversation). Default: the database
    // when it is a shared PostgreSQL (DATABASE_URL or Supabase), else the disk.
    TETHER_TRANSCRIPTS: z.enum(['disk', 'database']).optional(),
    // Several instances on one database: an instance silent this long is taken for dead, and a live
    // one interrupts its runs (each instance beats every third of it).
    TETHER_INSTANCE_STALE_SECONDS: z.coerce.number().int().min(3).max(3600).default(30),
    SUPABASE_SERVICE_ROLE_KEY: optionalString,
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    // GET /metrics (README, "Metrics"): off unless set; Prometheus then sends it as a bearer token.
    TETHER_METRICS_TOKEN: optionalString.refine((value) => value === undefined || value.length >= 16, 'at least 16 characters, e.g. from openssl rand -hex 32'),
    VAPID_PUBLIC_KEY: base64urlBytes(65),
    VAPID_PRIVATE_KEY: base64urlBytes(32),
    VAPID_SUBJECT: optionalString.superRefine((value, ctx) => {
      const problem = value === undefined ? null : vapidSubjectProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
    // Push services besides the well-known ones that subscriptions may point at (the SSRF allow-list).
    PUSH_ALLOWED_HOSTS: z
      .string()
      .default('')
      .transform((value) =>
        value
          .split(',')
          .map((item) => item.trim().toLowerCase())
          .filter(Boolean),
      )
      .pipe(z.array(z.string().regex(HOST_PATTERN, 'comma-separated host names (or *.suffix patterns), no scheme or port'))),
  })
  .refine((env) => env.TETHER_ATTACHMENT_MAX_MB <= env.TETHER_ATTACHMENTS_MAX_MB_PER_MESSAGE, {
    message: 'TETHER_ATTACHMENT_MAX_MB must not be more than TETHER_ATTACHMENTS_MAX_MB_PER_MESSAGE (one file is part of a message)',
    path: ['TETHER_ATTACHMENT_MAX_MB'],
  })
  // A smaller allowance would refuse, every day, a file within the per-file cap.
  .refine((env) => env.TETHER_ATTACHMENT_MB_PER_VISITOR_PER_DAY === 0 || env.TETHER_ATTACHMENT_MB_PER_VISITOR_PER_DAY >= env.TETHER_ATTACHMENT_MAX_MB, {
    message: 'TETHER_ATTACHMENT_MB_PER_VISITOR_PER_DAY must be 0 (off) or at least TETHER_ATTACHMENT_MAX_MB (one file must fit in a day)',
    path: ['TETHER_ATTACHMENT_MB_PER_VISITOR_PER_DAY'],
  })
  .refine((env) => Boolean(env.SUPABASE_URL) === Boolean(env.SUPABASE_SERVICE_ROLE_KEY), {
    message: 'SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY must be set together',
    path: ['SUPABASE_SERVICE_ROLE_KEY'],
  })
  .refine((env) => new Set([!env.VAPID_PUBLIC_KEY, !env.VAPID_PRIVATE_KEY, !env.VAPID_SUBJECT]).size === 1, {
    message: 'VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY and VAPID_SUBJECT must be set together (or none: keys are then generated into the data root)',
    path: ['VAPID_SUBJECT'],
  });

type ParsedEnv = z.infer<typeof serverEnvSchema>;

export type ServerEnv = Omit<ParsedEnv, 'SESSION_TTL_HOURS' | 'TETHER_CONVERSATION_TTL_HOURS'> & {
  TETHER_CONVERSATION_TTL_HOURS: number;
  dataDir: string;
  workspacesDir: string;
  transcripts: 'disk' | 'database';
  /** Variables set under an old name, worded for the start-up log (the logger can't be used here: it reads this env). */
  deprecations: string[];
};

const DEFAULT_CONVERSATION_TTL_HOURS = 24;

function conversationTtl({ SESSION_TTL_HOURS: legacy, TETHER_CONVERSATION_TTL_HOURS: current }: ParsedEnv): { hours: number; deprecations: string[] } {
  if (legacy === undefined) return { hours: current ?? DEFAULT_CONVERSATION_TTL_HOURS, deprecations: [] };
  if (current !== undefined) return { hours: current, deprecations: ['SESSION_TTL_HOURS is ignored: TETHER_CONVERSATION_TTL_HOURS is set. Remove the old name.'] };
  return { hours: legacy, deprecations: ['SESSION_TTL_HOURS is deprecated: rename it TETHER_CONVERSATION_TTL_HOURS (its value is used for now).'] };
}

export function parseServerEnv(source: Record<string, string | undefined>): ServerEnv {
  const result = serverEnvSchema.safeParse(source);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`).join('\n');
    throw new Error(`Invalid environment configuration:\n${problems}`);
  }
  const { SESSION_TTL_HOURS: _legacyTtl, ...data } = result.data;
  const ttl = conversationTtl(result.data);
  const transcripts = data.TETHER_TRANSCRIPTS ?? (data.DATABASE_URL || data.SUPABASE_URL ? 'database' : 'disk');
  const dataDir = path.resolve(data.TETHER_DATA_DIR);
  // A folder chosen at run time: the build must not trace it (turbopackIgnore).
  const workspacesDir = path.resolve(/*turbopackIgnore: true*/ data.TETHER_WORKSPACES_DIR ?? path.join(dataDir, 'workspaces'));
  return { ...data, TETHER_CONVERSATION_TTL_HOURS: ttl.hours, dataDir, workspacesDir, transcripts, deprecations: ttl.deprecations };
}

let cached: ServerEnv | undefined;

export function serverEnv(): ServerEnv {
  cached ??= parseServerEnv(process.env);
  return cached;
}

/** The server process's own environment, for the few things that must pass it on (PATH, HOME). */
export function processPath(): string {
  return process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin';
}
