-- Runs survive their server. A run whose instance died, or that a draining instance handed over at
-- its deadline, stays 'running' and is continued: by the next start of that instance, or by the live
-- instance that takes it over. What a continuation needs to count against the run's own limits and
-- to show the whole run's Changes is kept on the run while it runs.

alter table tether.runs
  add column continuations integer not null default 0, -- how often it was continued after its server went
  add column stop_requested boolean not null default false, -- Stop pressed while its server was gone: not continued
  add column agent_started boolean not null default false, -- the agent has the prompt (else a continuation sends it)
  add column worked_ms integer not null default 0, -- agent time so far, against the run's time limit
  add column turns integer not null default 0; -- model requests so far, against the run's turn limit

-- Each file as it was before the running run first edited it (its Changes and Undo, both halves).
create table tether.run_checkpoints (
  run_id   uuid not null references tether.runs on delete cascade,
  path     text not null,
  snapshot jsonb not null,
  primary key (run_id, path)
);
alter table tether.run_checkpoints enable row level security;
revoke all on table tether.run_checkpoints from public, anon, authenticated;
grant all privileges on table tether.run_checkpoints to service_role;

-- The running run's spend and progress so far (each metered model request; the agent's start).
create function tether.record_run_progress(p_id uuid, p_cost_usd double precision, p_input_tokens integer, p_output_tokens integer, p_turns integer, p_worked_ms integer, p_agent_started boolean)
returns void
language sql as $$
  update tether.runs
     set cost_usd = p_cost_usd, input_tokens = p_input_tokens, output_tokens = p_output_tokens,
         turns = p_turns, worked_ms = p_worked_ms, agent_started = agent_started or p_agent_started
   where id = p_id and status = 'running'
$$;

-- The first checkpoint of a path stands.
create function tether.keep_run_checkpoint(p_run_id uuid, p_path text, p_snapshot text)
returns void
language sql as $$
  insert into tether.run_checkpoints (run_id, path, snapshot) values (p_run_id, p_path, p_snapshot::jsonb)
  on conflict do nothing
$$;

create function tether.list_run_checkpoints(p_run_id uuid)
returns jsonb
language sql stable as $$
  select coalesce(jsonb_agg(jsonb_build_object('path', path, 'snapshot', snapshot) order by path), '[]'::jsonb)
    from tether.run_checkpoints where run_id = p_run_id
$$;

-- Stop for a running run whose server is gone: whoever continues it ends it stopped instead.
create function tether.request_run_stop(p_id uuid)
returns boolean
language sql as $$
  with changed as (update tether.runs set stop_requested = true where id = p_id and status = 'running' returning 1)
  select exists (select 1 from changed)
$$;

-- The running runs p_owner takes on: its own (p_own, at its start) or those of instances silent for
-- p_stale_seconds (or unknown). Each goes to exactly one caller. A run with continuations left and
-- no Stop is now p_owner's, one continuation more, still 'running'; the others end 'stopped' or
-- 'interrupted'. Returned with what a continuation needs.
create function tether.claim_orphaned_runs(p_owner uuid, p_own boolean, p_stale_seconds integer, p_max_continuations integer)
returns jsonb
language sql as $$
  with orphaned as (
    select r.id from tether.runs r
     where r.status = 'running'
       and case when p_own then r.owner = p_owner
                else r.owner is distinct from p_owner and not exists (
                  select 1 from tether.instances i where i.id = r.owner and i.heartbeat_at > now() - make_interval(secs => p_stale_seconds))
           end
     for update skip locked
  ),
  claimed as (
    update tether.runs r
       set owner = p_owner,
           continuations = r.continuations + case when continues then 1 else 0 end,
           status = case when continues then 'running' when r.stop_requested then 'stopped' else 'interrupted' end,
           finished_at = case when continues then null else now() end,
           duration_ms = case when continues then null else r.worked_ms end,
           error = case when continues or r.stop_requested then null else 'The server running this went away, and the run was not continued.' end
      from (select o.id, (not x.stop_requested and x.continuations < p_max_continuations) as continues
              from orphaned o join tether.runs x on x.id = o.id) d
     where r.id = d.id
    returning r.*
  ),
  cleared as (delete from tether.run_checkpoints k using claimed c where k.run_id = c.id and c.status <> 'running')
  select coalesce(jsonb_agg(tether.run_json(c) || jsonb_build_object(
           'visitorId', v.visitor_id, 'workspace', v.workspace, 'continuations', c.continuations,
           'agentStarted', c.agent_started, 'turns', c.turns, 'workedMs', c.worked_ms)), '[]'::jsonb)
    from claimed c join tether.conversations v on v.id = c.conversation_id
$$;

-- finish_run as before; a finished run needs its checkpoints no more.
create or replace function tether.finish_run(
  p_id uuid, p_status text, p_cost_usd double precision, p_input_tokens integer,
  p_output_tokens integer, p_duration_ms integer, p_error text
) returns jsonb
language plpgsql as $$
declare
  v_row tether.runs;
begin
  if p_status is null or p_status not in ('completed', 'failed', 'stopped', 'interrupted') then
    raise exception 'finish_run: invalid final status %', coalesce(p_status, 'NULL')
      using errcode = '22023'; -- invalid_parameter_value
  end if;

  update tether.runs
     set status = p_status, finished_at = now(), cost_usd = p_cost_usd, input_tokens = p_input_tokens,
         output_tokens = p_output_tokens, duration_ms = p_duration_ms, error = p_error
   where id = p_id and status = 'running'
  returning * into v_row;

  if not found then
    return null;
  end if;
  delete from tether.run_checkpoints where run_id = p_id;
  return tether.run_json(v_row);
end
$$;

-- interrupt_own_runs and take_over_stale_runs stay for instances of the previous version during a
-- rolling deploy; this version claims with claim_orphaned_runs.

-- See 000003: functions need their grants spelled out.
revoke all on function tether.record_run_progress(uuid, double precision, integer, integer, integer, integer, boolean) from public, anon, authenticated;
revoke all on function tether.keep_run_checkpoint(uuid, text, text) from public, anon, authenticated;
revoke all on function tether.list_run_checkpoints(uuid) from public, anon, authenticated;
revoke all on function tether.request_run_stop(uuid) from public, anon, authenticated;
revoke all on function tether.claim_orphaned_runs(uuid, boolean, integer, integer) from public, anon, authenticated;
grant execute on function tether.record_run_progress(uuid, double precision, integer, integer, integer, integer, boolean) to service_role;
grant execute on function tether.keep_run_checkpoint(uuid, text, text) to service_role;
grant execute on function tether.list_run_checkpoints(uuid) to service_role;
grant execute on function tether.request_run_stop(uuid) to service_role;
grant execute on function tether.claim_orphaned_runs(uuid, boolean, integer, integer) to service_role;
