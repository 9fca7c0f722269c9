export type Db = {
  /** Calls `tether.<fn>` with named arguments; resolves to its result (NULL → null). */
  call<T = unknown>(fn: string, args?: Record<string, unknown>): Promise<T>;
  close(): Promise<void>;
};

/** `onMigrated` hears which migration versions opening the database applied (often none). */
export type OpenDbOptions = { onMigrated?: (versions: string[]) => void };

/** The embedded database: its folder (null = in memory) and PostgreSQL's buffer pool in MiB (default 8). */
export type PgliteConfig = { kind: 'pglite'; dataDir: string | null; sharedBuffersMb?: number };

export type DbConfig = PgliteConfig | { kind: 'postgres'; url: string } | { kind: 'supabase'; url: string; serviceRoleKey: string; fetch?: typeof fetch };
