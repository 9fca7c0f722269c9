-- The operator's command line (npm run tether): what is going on across every instance and
-- workspace, one run by id, a workspace's conversations, and a purge by age. These functions see
-- every visitor's rows, so only the server's own role may call them (grants below), as for the rest.

-- Instances with their heartbeat, and the runs going and waiting; spend of the last 24 h (the
-- daily budgets' sliding window), per workspace, from the runs' own metered cost (a running run
-- records its spend as it goes).
create function tether.operator_status(p_stale_seconds integer)
returns jsonb
language sql stable as $$
  select jsonb_build_object(
    'instances', coalesce((
      select jsonb_agg(jsonb_build_object(
               'id', i.id,
               'startedAt', tether.iso_time(i.started_at),
               'heartbeatAt', tether.iso_time(i.heartbeat_at),
               'alive', i.heartbeat_at > now() - make_interval(secs => p_stale_seconds),
               'running', (select count(*) from tether.runs r where r.owner = i.id and r.status = 'running'))
             order by i.started_at)
        from tether.instances i), '[]'::jsonb),
    'running', (select count(*) from tether.runs where status = 'running' and agent_started),
    'queued', (select count(*) from tether.runs where status = 'running' and not agent_started),
    'spentUsd', (select coalesce(sum(cost_usd), 0) from tether.runs where started_at > now() - interval '24 hours'),
    'spentByWorkspace', coalesce((
      select jsonb_agg(jsonb_build_object('workspace', workspace, 'spentUsd', spent) order by spent desc)
        from (select c.workspace, sum(r.cost_usd) as spent
                from tether.runs r join tether.conversations c on c.id = r.conversation_id
               where r.started_at > now() - interval '24 hours' and r.cost_usd > 0
               group by c.workspace) s), '[]'::jsonb))
$$;

-- One run as an operator sees it: with its workspace and the instance that runs it.
create function tether.operator_run_json(p_r tether.runs, p_workspace text)
returns jsonb
language sql stable as $$
  select tether.run_json(p_r) || jsonb_build_object(
    'workspace', p_workspace,
    'owner', p_r.owner,
    'agentStarted', p_r.agent_started,
    'stopRequested', p_r.stop_requested)
$$;

-- Runs, latest first: of one workspace (or all, null), running ones only (or all), at most p_limit.
create function tether.operator_runs(p_workspace text, p_running boolean, p_limit integer)
returns jsonb
language sql stable as $$
  select coalesce(jsonb_agg(tether.operator_run_json(x.r, x.workspace) order by x.started_at desc, x.id), '[]'::jsonb)
    from (select r, c.workspace, r.started_at, r.id
            from tether.runs r join tether.conversations c on c.id = r.conversation_id
           where (p_workspace is null or c.workspace = p_workspace)
             and (not p_running or r.status = 'running')
           order by r.started_at desc, r.id
           limit greatest(p_limit, 0)) x
$$;

-- One run by id, whoever's it is; null when there is none.
create function tether.operator_run(p_id uuid)
returns jsonb
language sql stable as $$
  select tether.operator_run_json(r, c.workspace)
    from tether.runs r join tether.conversations c on c.id = r.conversation_id
   where r.id = p_id
$$;

-- A workspace's conversations (every visitor's, expired ones not yet purged too), latest used first.
create function tether.operator_conversations(p_workspace text, p_limit integer)
returns jsonb
language sql stable as $$
  select coalesce(jsonb_agg(x.item order by x.last_activity_at desc, x.id), '[]'::jsonb)
    from (select c.id, c.last_activity_at, jsonb_build_object(
                   'id', c.id,
                   'title', c.title,
                   'visitorId', c.visitor_id,
                   'createdAt', tether.iso_time(c.created_at),
                   'lastActivityAt', tether.iso_time(c.last_activity_at),
                   'expiresAt', tether.iso_time(c.expires_at),
                   'runs', (select count(*) from tether.runs r where r.conversation_id = c.id),
                   'lastStatus', (select r.status from tether.runs r where r.conversation_id = c.id order by r.started_at desc, r.id limit 1),
                   'costUsd', (select coalesce(sum(r.cost_usd), 0) from tether.runs r where r.conversation_id = c.id)) as item
            from tether.conversations c
           where c.workspace = p_workspace
           order by c.last_activity_at desc, c.id
           limit greatest(p_limit, 0)) x
$$;

-- Conversations nobody used for p_older_than_seconds, as purge_expired removes expired ones (the
-- schema cascades to runs, subscriptions, attachments...; each instance's sweeps then remove the
-- files). One with a running run is left alone: Stop it first. p_dry_run lists without deleting.
create function tether.operator_purge(p_older_than_seconds integer, p_dry_run boolean)
returns jsonb
language plpgsql as $$
declare
  v_ids uuid[];
  v_listed jsonb;
begin
  select coalesce(array_agg(c.id), '{}'), coalesce(jsonb_agg(jsonb_build_object(
           'id', c.id, 'workspace', c.workspace, 'title', c.title,
           'lastActivityAt', tether.iso_time(c.last_activity_at)) order by c.last_activity_at, c.id), '[]'::jsonb)
    into v_ids, v_listed
    from tether.conversations c
   where c.last_activity_at < now() - make_interval(secs => p_older_than_seconds)
     and not exists (select 1 from tether.runs r where r.conversation_id = c.id and r.status = 'running');
  if not p_dry_run then
    delete from tether.conversations where id = any (v_ids);
  end if;
  return v_listed;
end
$$;

-- The owner's running runs someone asked to stop (request_run_stop): the owner polls for them, so a
-- Stop reaches it through the database alone (the operator's command line, or no Redis). Every
-- instance with runs going asks each second: the index holds only such runs, so it stays tiny.
create index runs_stop_requested_idx on tether.runs (owner) where status = 'running' and stop_requested;
create function tether.stop_requests(p_owner uuid)
returns jsonb
language sql stable as $$
  select coalesce(jsonb_agg(id), '[]'::jsonb)
    from tether.runs where owner = p_owner and status = 'running' and stop_requested
$$;

-- See 000003: functions need their grants spelled out.
revoke all on function tether.operator_status(integer) from public, anon, authenticated;
revoke all on function tether.operator_run_json(tether.runs, text) from public, anon, authenticated;
revoke all on function tether.operator_runs(text, boolean, integer) from public, anon, authenticated;
revoke all on function tether.operator_run(uuid) from public, anon, authenticated;
revoke all on function tether.operator_conversations(text, integer) from public, anon, authenticated;
revoke all on function tether.operator_purge(integer, boolean) from public, anon, authenticated;
revoke all on function tether.stop_requests(uuid) from public, anon, authenticated;
grant execute on function tether.operator_status(integer) to service_role;
grant execute on function tether.operator_run_json(tether.runs, text) to service_role;
grant execute on function tether.operator_runs(text, boolean, integer) to service_role;
grant execute on function tether.operator_run(uuid) to service_role;
grant execute on function tether.operator_conversations(text, integer) to service_role;
grant execute on function tether.operator_purge(integer, boolean) to service_role;
grant execute on function tether.stop_requests(uuid) to service_role;
