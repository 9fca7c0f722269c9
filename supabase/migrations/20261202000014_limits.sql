-- Fair-use counters shared by every instance when there is a database but no Redis
-- (features/limits). rate-limiter-flexible keeps its points here through these three functions,
-- so the same store works over every transport: PGlite, Postgres and Supabase's REST API (which
-- can only call functions, so the library's own RateLimiterPostgres could not run there).
create table tether.limit_counters (
  key        text primary key,
  points     bigint not null,
  expires_at timestamptz -- null: never expires
);
create index limit_counters_expires_at on tether.limit_counters (expires_at);
alter table tether.limit_counters enable row level security;
revoke all on table tether.limit_counters from public, anon, authenticated;
grant all privileges on table tether.limit_counters to service_role;

-- A counter as the library reads it: its points and the milliseconds until it expires (-1: never).
create function tether.limit_counter_json(p_points bigint, p_expires_at timestamptz)
returns jsonb
language sql stable as $$
  select jsonb_build_object(
    'points', p_points,
    'msLeft', case when p_expires_at is null then -1 else greatest(0, ceil(extract(epoch from p_expires_at - now()) * 1000))::bigint end)
$$;

-- Adds p_points to the key's counter, in one statement so concurrent instances never lose a
-- point. A new or expired counter starts a window of p_ms (0: no expiry); p_force sets the
-- points and restarts the window instead of adding (the library's set and block).
create function tether.limit_add(p_key text, p_points bigint, p_ms bigint, p_force boolean)
returns jsonb
language plpgsql as $$
declare
  v_expires timestamptz := case when p_ms > 0 then now() + p_ms * interval '1 millisecond' end;
  v_row tether.limit_counters;
begin
  -- Expired counters are only ever found by their key: now and then, sweep a batch away
  -- (skip locked, so two sweeping instances never wait on, or deadlock with, each other).
  if random() < 0.01 then
    delete from tether.limit_counters where key in (
      select key from tether.limit_counters where expires_at <= now() limit 500 for update skip locked);
  end if;
  insert into tether.limit_counters as c (key, points, expires_at) values (p_key, p_points, v_expires)
  on conflict (key) do update set
    points     = case when p_force or c.expires_at <= now() then excluded.points else c.points + excluded.points end,
    expires_at = case when p_force or c.expires_at <= now() then excluded.expires_at else c.expires_at end
  returning * into v_row;
  return tether.limit_counter_json(v_row.points, v_row.expires_at);
end $$;

-- The key's counter, or null when it has none (or it expired).
create function tether.limit_get(p_key text)
returns jsonb
language sql stable as $$
  select tether.limit_counter_json(points, expires_at)
    from tether.limit_counters
   where key = p_key and (expires_at is null or expires_at > now())
$$;

-- Deletes the key's counter; false when there was none.
create function tether.limit_delete(p_key text)
returns boolean
language sql as $$
  with gone as (delete from tether.limit_counters where key = p_key returning 1)
  select exists (select 1 from gone)
$$;

-- See 000003: functions need their grants spelled out.
revoke all on function tether.limit_counter_json(bigint, timestamptz) from public, anon, authenticated;
revoke all on function tether.limit_add(text, bigint, bigint, boolean) from public, anon, authenticated;
revoke all on function tether.limit_get(text) from public, anon, authenticated;
revoke all on function tether.limit_delete(text) from public, anon, authenticated;
grant execute on function tether.limit_counter_json(bigint, timestamptz) to service_role;
grant execute on function tether.limit_add(text, bigint, bigint, boolean) to service_role;
grant execute on function tether.limit_get(text) to service_role;
grant execute on function tether.limit_delete(text) to service_role;
