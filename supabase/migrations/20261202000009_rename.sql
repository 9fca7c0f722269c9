-- A visitor renames one of their conversations. Returns the new title, or null when the
-- conversation is not theirs (or is gone).
create function tether.rename_conversation(p_id uuid, p_visitor_id text, p_workspace text, p_title text)
returns text
language sql as $$
  update tether.conversations
     set title = p_title
   where id = p_id and visitor_id = p_visitor_id and workspace = p_workspace and expires_at > now()
  returning title
$$;

-- See 000003: functions need their grants spelled out.
revoke all on function tether.rename_conversation(uuid, text, text, text) from public, anon, authenticated;
grant execute on function tether.rename_conversation(uuid, text, text, text) to service_role;
