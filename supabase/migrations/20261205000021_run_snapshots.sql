-- A run's Changes and Undo come from two snapshots of the whole workspace, taken before its agent
-- starts and when it ends: git trees in the workspace's shadow repository (beside its files). The
-- trees are kept with the run, so a run continued on another instance or after a crash still has
-- its before, and Undo works from any instance that sees the workspace.

create table tether.run_snapshots (
  run_id   uuid not null references tether.runs on delete cascade,
  moment   text not null check (moment in ('before', 'after')),
  tree     text not null,                   -- a git tree id in the workspace's shadow repository
  not_kept jsonb not null default '[]',     -- files it left out: [{ path, size, mtimeMs, reason }]
  taken_at timestamptz not null default now(),
  primary key (run_id, moment)
);
alter table tether.run_snapshots enable row level security;
revoke all on table tether.run_snapshots from public, anon, authenticated;
grant all privileges on table tether.run_snapshots to service_role;

-- What the Changes view shows of each file besides its diff. Rows of an earlier version have no
-- kind (it is told from their texts); their texts stay readable but Undo no longer uses them.
alter table tether.run_changes
  add column kind     text check (kind in ('added', 'modified', 'deleted', 'renamed')),
  add column old_path text,    -- a renamed file's earlier path
  add column old_mode text,    -- its git mode before and after, when that changed
  add column new_mode text,
  add column is_binary boolean not null default false,
  add column size     bigint;  -- bytes of a binary or not-kept file

-- The first snapshot of each moment stands (a continuation never takes its run's before again).
-- Returns the tree that stands.
create function tether.record_run_snapshot(p_run_id uuid, p_moment text, p_tree text, p_not_kept text)
returns text
language sql as $$
  with kept as (
    insert into tether.run_snapshots (run_id, moment, tree, not_kept) values (p_run_id, p_moment, p_tree, p_not_kept::jsonb)
    on conflict (run_id, moment) do nothing
    returning tree
  )
  select coalesce((select tree from kept), (select tree from tether.run_snapshots where run_id = p_run_id and moment = p_moment))
$$;

-- A run's snapshots: { before, after }, each { tree, notKept } or null.
create function tether.get_run_snapshots(p_run_id uuid)
returns jsonb
language sql stable as $$
  select jsonb_build_object(
    'before', (select jsonb_build_object('tree', s.tree, 'notKept', s.not_kept) from tether.run_snapshots s where s.run_id = p_run_id and s.moment = 'before'),
    'after', (select jsonb_build_object('tree', s.tree, 'notKept', s.not_kept) from tether.run_snapshots s where s.run_id = p_run_id and s.moment = 'after'))
$$;

-- A finished run's changes, as the Changes view shows them: p_changes is a JSON array of
-- { path, kind, oldPath, mode: { before, after } | null, binary, size, patch, added, removed, restorable }.
create function tether.record_run_file_changes(p_run_id uuid, p_changes text)
returns void
language sql as $$
  insert into tether.run_changes (run_id, path, kind, old_path, old_mode, new_mode, is_binary, size, patch, added, removed, restorable)
  select p_run_id, c->>'path', c->>'kind', c->>'oldPath', c->'mode'->>'before', c->'mode'->>'after',
         coalesce((c->>'binary')::boolean, false), (c->>'size')::bigint, c->>'patch', (c->>'added')::integer, (c->>'removed')::integer,
         (c->>'restorable')::boolean
    from jsonb_array_elements(p_changes::jsonb) as c
  on conflict (run_id, path) do nothing
$$;

create function tether.file_change_json(p_c tether.run_changes) returns jsonb
language sql stable as $$
  select jsonb_build_object(
    'path', p_c.path,
    'kind', coalesce(p_c.kind, case when p_c.restorable and p_c.before_text is null then 'added' when p_c.restorable and p_c.after_text is null then 'deleted' else 'modified' end),
    'oldPath', p_c.old_path,
    'mode', case when p_c.old_mode is null then null else jsonb_build_object('before', p_c.old_mode, 'after', p_c.new_mode) end,
    'binary', p_c.is_binary,
    'size', p_c.size,
    'patch', p_c.patch,
    'added', p_c.added,
    'removed', p_c.removed,
    'restorable', p_c.restorable)
$$;

-- list_run_changes as before, each file with its kind, earlier path, mode change and size.
create or replace function tether.list_run_changes(p_conversation_id uuid)
returns jsonb
language sql stable as $$
  select coalesce(jsonb_agg(jsonb_build_object(
           'runId', r.id,
           'undoneAt', tether.iso_time(r.changes_undone_at),
           'files', (select jsonb_agg(tether.file_change_json(c) order by c.path) from tether.run_changes c where c.run_id = r.id))
         order by r.started_at), '[]'::jsonb)
    from tether.runs r
   where r.conversation_id = p_conversation_id
     and exists (select 1 from tether.run_changes c where c.run_id = r.id)
$$;

-- get_run_changes as before, with the run's snapshots (what Undo restores from) and each file's kind.
create or replace function tether.get_run_changes(p_run_id uuid, p_visitor_id text, p_workspace text)
returns jsonb
language sql stable as $$
  select jsonb_build_object(
           'runId', r.id,
           'conversationId', r.conversation_id,
           'status', r.status,
           'undoneAt', tether.iso_time(r.changes_undone_at),
           'snapshots', tether.get_run_snapshots(r.id),
           'files', coalesce((select jsonb_agg(jsonb_build_object('path', c.path, 'kind', tether.file_change_json(c)->'kind', 'before', c.before_text, 'after', c.after_text, 'restorable', c.restorable) order by c.path)
                                from tether.run_changes c where c.run_id = r.id), '[]'::jsonb))
    from tether.runs r
    join tether.conversations c on c.id = r.conversation_id
   where r.id = p_run_id and c.visitor_id = p_visitor_id and c.workspace = p_workspace and c.expires_at > now()
$$;

-- run_checkpoints (000016) is no longer written: this version keeps a run's before as a snapshot.
-- The table and keep_run_checkpoint / list_run_checkpoints stay for instances of the previous
-- version during a rolling deploy (finish_run and claim_orphaned_runs still clear it).

-- See 000003: functions need their grants spelled out.
revoke all on function tether.record_run_snapshot(uuid, text, text, text) from public, anon, authenticated;
revoke all on function tether.get_run_snapshots(uuid) from public, anon, authenticated;
revoke all on function tether.record_run_file_changes(uuid, text) from public, anon, authenticated;
revoke all on function tether.file_change_json(tether.run_changes) from public, anon, authenticated;
grant execute on function tether.record_run_snapshot(uuid, text, text, text) to service_role;
grant execute on function tether.get_run_snapshots(uuid) to service_role;
grant execute on function tether.record_run_file_changes(uuid, text) to service_role;
grant execute on function tether.file_change_json(tether.run_changes) to service_role;
