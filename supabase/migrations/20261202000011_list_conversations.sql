-- "See all": the visitor's live conversations in a workspace, latest first, beyond the 10 a
-- browser keeps in Recent. At most p_limit of them, with their titles and last activity.
create function tether.list_conversations(p_visitor_id text, p_workspace text, p_limit integer)
returns jsonb
language sql stable as $$
  select coalesce(jsonb_agg(jsonb_build_object('id', c.id, 'title', c.title, 'lastActivityAt', tether.iso_time(c.last_activity_at)) order by c.last_activity_at desc, c.id), '[]'::jsonb)
    from (select * from tether.conversations
           where visitor_id = p_visitor_id and workspace = p_workspace and expires_at > now()
           order by last_activity_at desc, id
           limit p_limit) c
$$;

-- See 000003: functions need their grants spelled out.
revoke all on function tether.list_conversations(text, text, integer) from public, anon, authenticated;
grant execute on function tether.list_conversations(text, text, integer) to service_role;
