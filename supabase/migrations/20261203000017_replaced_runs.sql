-- Retry and Edit: a message that replaces the conversation's last one. The run it replaces keeps
-- its record (spend, changes), but no longer shows in the history.
alter table tether.runs add column replaced boolean not null default false;

-- Marks the conversation's latest finished run replaced (by p_by, the replacing run, which is
-- running and so never the one marked). Returns the id marked, or NULL when there is none.
create function tether.mark_run_replaced(p_conversation_id uuid, p_by uuid) returns uuid
language sql as $$
  update tether.runs
     set replaced = true
   where id = (
     select id from tether.runs
      where conversation_id = p_conversation_id and status <> 'running' and id <> p_by
      order by started_at desc, id desc
      limit 1)
  returning id
$$;

-- list_runs as before, with each run's replaced flag.
create or replace function tether.list_runs(p_conversation_id uuid) returns jsonb
language sql stable as $$
  select coalesce(jsonb_agg(tether.run_json(r) || jsonb_build_object('replaced', r.replaced) order by r.started_at, r.id), '[]'::jsonb)
    from tether.runs r
   where r.conversation_id = p_conversation_id
$$;

-- See 000003: functions need their grants spelled out.
revoke all on function tether.mark_run_replaced(uuid, uuid) from public, anon, authenticated;
grant execute on function tether.mark_run_replaced(uuid, uuid) to service_role;
