-- After an Undo the agent's next turn in the conversation is told which files were put back, or it
-- would go on believing its edits are there. What it must be told is kept with the undone run, so
-- the next message is told it on whichever instance it runs, and told it once: the run that takes
-- it is recorded, atomically.

alter table tether.runs
  add column undone_paths jsonb,  -- the paths its Undo restored (a JSON array); null: not undone (or undone before this version)
  add column undo_told_by uuid;   -- the run whose message carried the note; null: not told yet

-- Marks a run's changes undone, once, with the paths Undo restored: false when they already were.
create function tether.undo_run_changes(p_run_id uuid, p_paths text)
returns boolean
language sql as $$
  with marked as (
    update tether.runs set changes_undone_at = now(), undone_paths = p_paths::jsonb, undo_told_by = null
     where id = p_run_id and changes_undone_at is null
    returning 1
  )
  select exists (select 1 from marked)
$$;

-- The conversation's undone runs that p_run_id's message is to tell the agent about, now marked
-- told by it: { paths (sorted, each once), runs (how many) }. Taken again: by the same run (a continuation sends
-- its message again), and from a run whose message the agent no longer has (replaced by Retry or
-- Edit) or never got (it ended before its agent started). A single update: two runs taking at
-- once can't both take a note.
create function tether.take_undone_paths(p_conversation_id uuid, p_run_id uuid)
returns jsonb
language sql as $$
  with taken as (
    update tether.runs u set undo_told_by = p_run_id
     where u.conversation_id = p_conversation_id
       and u.undone_paths is not null
       and (u.undo_told_by is null
            or u.undo_told_by = p_run_id
            or exists (select 1 from tether.runs t
                        where t.id = u.undo_told_by
                          and (t.replaced or (t.status <> 'running' and not t.agent_started))))
    returning u.undone_paths
  )
  select jsonb_build_object(
           'paths', coalesce((select jsonb_agg(distinct p.path order by p.path) from taken, jsonb_array_elements_text(taken.undone_paths) as p(path)), '[]'::jsonb),
           'runs', (select count(*) from taken))
$$;

-- See 000003: functions need their grants spelled out.
revoke all on function tether.undo_run_changes(uuid, text) from public, anon, authenticated;
revoke all on function tether.take_undone_paths(uuid, uuid) from public, anon, authenticated;
grant execute on function tether.undo_run_changes(uuid, text) to service_role;
grant execute on function tether.take_undone_paths(uuid, uuid) to service_role;
