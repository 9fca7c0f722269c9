export type Db = {
  /** Calls `tether.<fn>` with named arguments; resolves to its result (NULL → null). */
  call<T = unknown>(fn: string, args?: Record<string, unknown>): Promise<T>;
  close(): Promise<void>;
};

/** `onMigrated` hears which migration versions opening the database applied (often none). */
export type OpenDbOptions = { onMigrated?: (versions: string[]) => void };

export type DbConfig =
  { kind: 'pglite'; dataDir: string | null /* null = in-memory */ } | { kind: 'postgres'; url: string } | { kind: 'supabase'; url: string; serviceRoleKey: string; fetch?: typeof fetch };
