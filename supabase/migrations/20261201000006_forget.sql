-- Forgetting: a visitor deletes one conversation or all of theirs in a workspace. Runs and push
-- subscriptions go with it (on delete cascade); the server then deletes its agent home
-- (transcript included). A sweep deletes agent homes whose conversation is gone (deleted here,
-- or purged when it expired).

-- Deletes the visitor's conversations in the workspace: those in p_ids, or all of them when
-- p_ids is null. Returns the ids deleted as a JSON array (anyone else's ids are left alone and
-- left out, so the answer reveals nothing about them).
create function tether.delete_conversations(p_visitor_id text, p_workspace text, p_ids uuid[])
returns jsonb
language sql as $$
  with gone as (
    delete from tether.conversations
     where visitor_id = p_visitor_id
       and workspace = p_workspace
       and (p_ids is null or id = any(p_ids))
    returning id
  )
  select coalesce(jsonb_agg(id), '[]'::jsonb) from gone
$$;

-- Which of p_ids still have a conversation (expired or not: until it is purged its agent home stays).
create function tether.existing_conversations(p_ids uuid[])
returns jsonb
language sql stable as $$
  select coalesce(jsonb_agg(id), '[]'::jsonb) from tether.conversations where id = any(p_ids)
$$;

-- See 000003: functions need their grants spelled out.
revoke all on function tether.delete_conversations(text, text, uuid[]) from public, anon, authenticated;
revoke all on function tether.existing_conversations(uuid[]) from public, anon, authenticated;
grant execute on function tether.delete_conversations(text, text, uuid[]) to service_role;
grant execute on function tether.existing_conversations(uuid[]) to service_role;
