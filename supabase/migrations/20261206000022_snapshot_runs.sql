-- A workspace's shadow repository pins each run's snapshots with refs (refs/tether/runs/<id>/...).
-- The server drops the refs of runs that are gone (their conversation deleted, or expired) and,
-- past the store's bound (TETHER_SNAPSHOT_STORE_MB), the oldest ended runs' first; git's gc then
-- takes their objects. This says which runs of the refs are still kept, and how old each is.

-- Of p_ids, the runs whose Changes and Undo can still be asked for (their conversation exists and
-- has not expired), or that are running (never given up, whatever their conversation), oldest
-- first: [{ id, running, startedAt }].
create function tether.snapshot_runs(p_ids uuid[])
returns jsonb
language sql stable as $$
  select coalesce(jsonb_agg(jsonb_build_object('id', r.id, 'running', r.status = 'running', 'startedAt', tether.iso_time(r.started_at))
                            order by r.started_at, r.id), '[]'::jsonb)
    from tether.runs r
    join tether.conversations c on c.id = r.conversation_id
   where r.id = any(p_ids)
     and (c.expires_at > now() or r.status = 'running')
$$;

-- See 000003: functions need their grants spelled out.
revoke all on function tether.snapshot_runs(uuid[]) from public, anon, authenticated;
grant execute on function tether.snapshot_runs(uuid[]) to service_role;
