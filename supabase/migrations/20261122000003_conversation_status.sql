-- Working badges: the recent-conversations list asks, every few seconds and from every open tab,
-- which of its conversations have a run going and when each one's latest run finished. One call
-- for the whole list (at most 10 ids), read-only, so polling it costs one indexed lookup per id.

-- For each of the visitor's unexpired conversations among p_ids (in p_ids order; anyone else's,
-- expired and unknown ids are left out, so the answer reveals nothing about them):
-- { id, lastRunStatus, lastRunFinishedAt } from its latest run, both null when it has no run yet.
-- 'running' means the agent is still working. A JSON array, [] when none match.
create function tether.conversation_statuses(p_visitor_id text, p_workspace text, p_ids uuid[])
returns jsonb
language sql stable as $$
  select coalesce(
           jsonb_agg(jsonb_build_object(
             'id', c.id,
             'lastRunStatus', r.status,
             'lastRunFinishedAt', tether.iso_time(r.finished_at))
           order by array_position(p_ids, c.id)),
           '[]'::jsonb)
    from tether.conversations c
    left join lateral (
      select lr.status, lr.finished_at
        from tether.runs lr
       where lr.conversation_id = c.id
       order by lr.started_at desc, lr.id desc
       limit 1
    ) r on true
   where c.id = any(p_ids)
     and c.visitor_id = p_visitor_id
     and c.workspace = p_workspace
     and c.expires_at > now()
$$;

-- The 000002 migration's `alter default privileges in schema tether revoke ... from public` does
-- not take effect: per-schema defaults only add to the global ones, and Postgres grants EXECUTE on
-- every new function to PUBLIC globally. So each new function is locked down here, explicitly
-- (this also holds when a different role runs the migrations than the one that ran 000002).
revoke all on function tether.conversation_statuses(text, text, uuid[]) from public, anon, authenticated;
grant execute on function tether.conversation_statuses(text, text, uuid[]) to service_role;
