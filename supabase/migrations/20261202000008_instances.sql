-- Several instances on one database. Each instance has an id (kept in its data folder, so a
-- restart is the same instance) and a heartbeat; each run records the instance that runs it. At
-- start an instance interrupts only its own runs left 'running'; the runs of an instance that
-- stopped beating are interrupted by whichever live instance notices first (exactly one does).
-- And one conversation has at most one running run, whichever instance started it.

create table tether.instances (
  id           uuid primary key,
  started_at   timestamptz not null default now(),
  heartbeat_at timestamptz not null default now()
);
alter table tether.instances enable row level security;
revoke all on table tether.instances from public, anon, authenticated;
grant all privileges on table tether.instances to service_role;

-- null: started before runs had owners (it is taken over like a silent instance's).
alter table tether.runs add column owner uuid;

-- A run left 'running' by a server from before this migration has no owner to finish it.
update tether.runs set status = 'interrupted', finished_at = now() where status = 'running';
create unique index runs_one_running_per_conversation on tether.runs (conversation_id) where status = 'running';

-- Records a new run for p_owner; null (and nothing recorded) when the conversation already has a
-- running run, on this instance or another.
drop function tether.start_run(uuid, uuid, text, text);
create function tether.start_run(p_id uuid, p_conversation_id uuid, p_model text, p_mode text, p_owner uuid default null)
returns jsonb
language plpgsql as $$
declare
  v_row tether.runs;
begin
  insert into tether.runs (id, conversation_id, model, mode, status, started_at, owner)
  values (p_id, p_conversation_id, p_model, p_mode, 'running', now(), p_owner)
  returning * into v_row;
  return tether.run_json(v_row);
exception when unique_violation then
  -- The partial unique index: another run of this conversation is running. (A clash on the
  -- primary key, a random uuid, is not worth telling apart.)
  return null;
end
$$;

-- The instance is alive (called every few seconds; the first call registers it).
create function tether.instance_heartbeat(p_id uuid)
returns void
language sql as $$
  insert into tether.instances (id) values (p_id)
  on conflict (id) do update set heartbeat_at = now()
$$;

-- At a clean shutdown: the instance is gone (its runs were recorded first).
create function tether.instance_leave(p_id uuid)
returns void
language sql as $$
  delete from tether.instances where id = p_id
$$;

-- At start: this instance's runs that an earlier run of it left 'running' can't finish. Counts them.
create function tether.interrupt_own_runs(p_owner uuid)
returns integer
language sql as $$
  with changed as (
    update tether.runs set status = 'interrupted', finished_at = now()
     where status = 'running' and owner = p_owner
    returning 1
  )
  select count(*)::integer from changed
$$;

-- Interrupts the running runs whose instance has not beaten for p_stale_seconds (or is unknown)
-- and returns them as [{ id, conversationId, model, mode, startedAt }]. Each run is returned to exactly one
-- caller, however many instances ask at once: it notifies for them.
create function tether.take_over_stale_runs(p_stale_seconds integer)
returns jsonb
language sql as $$
  with taken as (
    update tether.runs r set status = 'interrupted', finished_at = now()
     where r.status = 'running'
       and not exists (
         select 1 from tether.instances i
          where i.id = r.owner and i.heartbeat_at > now() - make_interval(secs => p_stale_seconds)
       )
    returning r.id, r.conversation_id, r.model, r.mode, r.started_at
  )
  select coalesce(jsonb_agg(jsonb_build_object('id', id, 'conversationId', conversation_id, 'model', model, 'mode', mode, 'startedAt', tether.iso_time(started_at))), '[]'::jsonb) from taken
$$;

-- A run of the visitor's conversation in the workspace, with the instance that runs it (any
-- instance may serve its viewers); null for anyone else's run or an unknown id.
create function tether.get_run(p_id uuid, p_visitor_id text, p_workspace text)
returns jsonb
language sql stable as $$
  select tether.run_json(r) || jsonb_build_object('owner', r.owner)
    from tether.runs r
    join tether.conversations c on c.id = r.conversation_id
   where r.id = p_id and c.visitor_id = p_visitor_id and c.workspace = p_workspace and c.expires_at > now()
$$;

drop function tether.interrupt_running_runs();

-- See 000003: functions need their grants spelled out.
revoke all on function tether.start_run(uuid, uuid, text, text, uuid) from public, anon, authenticated;
revoke all on function tether.instance_heartbeat(uuid) from public, anon, authenticated;
revoke all on function tether.instance_leave(uuid) from public, anon, authenticated;
revoke all on function tether.interrupt_own_runs(uuid) from public, anon, authenticated;
revoke all on function tether.take_over_stale_runs(integer) from public, anon, authenticated;
revoke all on function tether.get_run(uuid, text, text) from public, anon, authenticated;
grant execute on function tether.start_run(uuid, uuid, text, text, uuid) to service_role;
grant execute on function tether.instance_heartbeat(uuid) to service_role;
grant execute on function tether.instance_leave(uuid) to service_role;
grant execute on function tether.interrupt_own_runs(uuid) to service_role;
grant execute on function tether.take_over_stale_runs(integer) to service_role;
grant execute on function tether.get_run(uuid, text, text) to service_role;
