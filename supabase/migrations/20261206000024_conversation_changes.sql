-- "Changes in this conversation" and its patch: the workspace as it was before the conversation's
-- first run against the workspace now, for the paths its runs changed. This gives where that
-- starts and which paths: the before snapshot of its earliest run that has one (runs of plan mode
-- take none; runs of a version before 000021 neither), and every path in its runs' recorded
-- changes (a renamed file's earlier path too), undone runs' included, since a later run may have
-- changed them again.

-- The visitor's conversation's { title, before: { runId, tree, notKept } | null, paths (sorted,
-- each once) }; null when the conversation isn't theirs in this workspace (or is gone).
create function tether.get_conversation_changes(p_conversation_id uuid, p_visitor_id text, p_workspace text)
returns jsonb
language sql stable as $$
  select jsonb_build_object(
           'title', c.title,
           'before', (select jsonb_build_object('runId', r.id, 'tree', s.tree, 'notKept', s.not_kept)
                        from tether.runs r
                        join tether.run_snapshots s on s.run_id = r.id and s.moment = 'before'
                       where r.conversation_id = c.id
                       order by r.started_at, r.id
                       limit 1),
           'paths', coalesce((select jsonb_agg(distinct touched.path order by touched.path)
                                from tether.runs r
                                join tether.run_changes rc on rc.run_id = r.id
                                cross join lateral (values (rc.path), (rc.old_path)) as touched(path)
                               where r.conversation_id = c.id and touched.path is not null), '[]'::jsonb))
    from tether.conversations c
   where c.id = p_conversation_id and c.visitor_id = p_visitor_id and c.workspace = p_workspace and c.expires_at > now()
$$;

-- See 000003: functions need their grants spelled out.
revoke all on function tether.get_conversation_changes(uuid, text, text) from public, anon, authenticated;
grant execute on function tether.get_conversation_changes(uuid, text, text) to service_role;
