-- Access rules for Supabase, written so they also run unchanged on plain Postgres and PGlite.
--
-- Only the server touches Tether's data, with the service-role key (or a direct connection).
-- The public anon key ships to browsers, so anon/authenticated must reach nothing: row-level
-- security is on for every table with NO policies, and the schema, tables and functions are
-- revoked from them.
--
-- Supabase: the `tether` schema must be exposed to the API for supabase-js `.rpc()` to reach it:
-- Dashboard → Settings → API → Exposed schemas, or `[api] schemas` in supabase/config.toml.
-- Exposing it is safe because of the revokes below.

-- Supabase creates these roles; plain Postgres and PGlite do not have them. Same attributes as
-- Supabase (service_role bypasses RLS) so the rules behave the same everywhere.
do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;
end
$$;

alter table tether.conversations enable row level security;
alter table tether.runs enable row level security;

-- Functions are executable by PUBLIC by default in Postgres: take that away explicitly.
revoke all on schema tether from public, anon, authenticated;
revoke all on all tables in schema tether from public, anon, authenticated;
revoke all on all sequences in schema tether from public, anon, authenticated;
revoke all on all functions in schema tether from public, anon, authenticated;

grant usage on schema tether to service_role;
grant all privileges on all tables in schema tether to service_role;
grant all privileges on all sequences in schema tether to service_role;
grant execute on all functions in schema tether to service_role;

-- Later migrations get the same rules without repeating them (applies to objects created by
-- the role running migrations, which is the one running this file).
alter default privileges in schema tether revoke all on tables from public, anon, authenticated;
alter default privileges in schema tether revoke all on sequences from public, anon, authenticated;
alter default privileges in schema tether revoke execute on functions from public, anon, authenticated;
alter default privileges in schema tether grant all on tables to service_role;
alter default privileges in schema tether grant all on sequences to service_role;
alter default privileges in schema tether grant execute on functions to service_role;
