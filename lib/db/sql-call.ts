import { DbError } from './errors';

// Identifiers are spliced into SQL (values never are), so only plain snake_case names pass.
const NAME = /^[a-z_]+$/;

/** Postgres' OID for `void`: a void function yields '' through pg and PGlite, we want null. */
export const VOID_OID = 2278;

/**
 * `select tether.fn(p_a => $1, p_b => $2) as result`: named notation so argument order
 * doesn't matter, like PostgREST, and every value bound as a parameter. Undefined arguments are
 * left out (as JSON.stringify does for the Supabase transport), so all transports agree.
 */
export function buildCall(fn: string, args: Record<string, unknown> = {}) {
  if (!NAME.test(fn)) throw new DbError(fn, 'invalid function name');
  const entries = Object.entries(args).filter(([, value]) => value !== undefined);
  for (const [name] of entries) {
    if (!NAME.test(name)) throw new DbError(fn, `invalid argument name ${JSON.stringify(name)}`);
  }
  const list = entries.map(([name], i) => `${name} => $${i + 1}`).join(', ');
  return {
    sql: `select tether.${fn}(${list}) as result`,
    params: entries.map(([, value]) => value),
  };
}

type CallResult = { rows: Array<Record<string, unknown>>; fields: Array<{ dataTypeID: number }> };

export function readResult(result: CallResult): unknown {
  if (result.fields[0]?.dataTypeID === VOID_OID) return null;
  return result.rows[0]?.result ?? null;
}
