-- The files each run changed, as they were before its first edit and as it left them: the
-- conversation's "Changes" sections, and what "Undo these changes" restores. Kept with the run
-- (and gone with its conversation), so both survive reloads, restarts and other instances.
create table tether.run_changes (
  run_id      uuid not null references tether.runs on delete cascade,
  path        text not null,   -- relative to the workspace folder
  before_text text,            -- null: the file did not exist, or could not be kept (see restorable)
  after_text  text,            -- null: the run deleted it, or it could not be kept
  patch       text,            -- the unified diff shown; null for a binary or too large file
  added       integer,
  removed     integer,
  restorable  boolean not null, -- false: binary or too large to keep, so Undo can't restore it
  primary key (run_id, path)
);
alter table tether.run_changes enable row level security;
revoke all on table tether.run_changes from public, anon, authenticated;
grant all privileges on table tether.run_changes to service_role;

alter table tether.runs add column changes_undone_at timestamptz;

-- Records a finished run's changes; p_paths[i] goes with element i of every other array.
create function tether.record_run_changes(p_run_id uuid, p_paths text[], p_befores text[], p_afters text[], p_patches text[], p_added integer[], p_removed integer[], p_restorable boolean[])
returns void
language sql as $$
  insert into tether.run_changes (run_id, path, before_text, after_text, patch, added, removed, restorable)
  select p_run_id, item.path, item.before_text, item.after_text, item.patch, item.added, item.removed, item.restorable
    from unnest(p_paths, p_befores, p_afters, p_patches, p_added, p_removed, p_restorable)
         as item(path, before_text, after_text, patch, added, removed, restorable)
  on conflict (run_id, path) do nothing
$$;

-- What a conversation's Changes sections show: per run, its files (without their contents) and
-- when they were undone.
create function tether.list_run_changes(p_conversation_id uuid)
returns jsonb
language sql stable as $$
  select coalesce(jsonb_agg(jsonb_build_object(
           'runId', r.id,
           'undoneAt', tether.iso_time(r.changes_undone_at),
           'files', (select jsonb_agg(jsonb_build_object('path', c.path, 'patch', c.patch, 'added', c.added, 'removed', c.removed, 'restorable', c.restorable) order by c.path)
                       from tether.run_changes c where c.run_id = r.id))
         order by r.started_at), '[]'::jsonb)
    from tether.runs r
   where r.conversation_id = p_conversation_id
     and exists (select 1 from tether.run_changes c where c.run_id = r.id)
$$;

-- The visitor's run's changes with their contents, for Undo; null when the run isn't theirs in
-- this workspace (or is gone).
create function tether.get_run_changes(p_run_id uuid, p_visitor_id text, p_workspace text)
returns jsonb
language sql stable as $$
  select jsonb_build_object(
           'runId', r.id,
           'conversationId', r.conversation_id,
           'status', r.status,
           'undoneAt', tether.iso_time(r.changes_undone_at),
           'files', coalesce((select jsonb_agg(jsonb_build_object('path', c.path, 'before', c.before_text, 'after', c.after_text, 'restorable', c.restorable) order by c.path)
                                from tether.run_changes c where c.run_id = r.id), '[]'::jsonb))
    from tether.runs r
    join tether.conversations c on c.id = r.conversation_id
   where r.id = p_run_id and c.visitor_id = p_visitor_id and c.workspace = p_workspace and c.expires_at > now()
$$;

-- Marks a run's changes undone, once: false when they already were.
create function tether.mark_run_changes_undone(p_run_id uuid)
returns boolean
language sql as $$
  with marked as (
    update tether.runs set changes_undone_at = now()
     where id = p_run_id and changes_undone_at is null
    returning 1
  )
  select exists (select 1 from marked)
$$;

-- See 000003: functions need their grants spelled out.
revoke all on function tether.record_run_changes(uuid, text[], text[], text[], text[], integer[], integer[], boolean[]) from public, anon, authenticated;
revoke all on function tether.list_run_changes(uuid) from public, anon, authenticated;
revoke all on function tether.get_run_changes(uuid, text, text) from public, anon, authenticated;
revoke all on function tether.mark_run_changes_undone(uuid) from public, anon, authenticated;
grant execute on function tether.record_run_changes(uuid, text[], text[], text[], text[], integer[], integer[], boolean[]) to service_role;
grant execute on function tether.list_run_changes(uuid) to service_role;
grant execute on function tether.get_run_changes(uuid, text, text) to service_role;
grant execute on function tether.mark_run_changes_undone(uuid) to service_role;
