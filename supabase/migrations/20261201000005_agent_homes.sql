-- Each conversation's agent now keeps its CLI config and transcript in a home of its own
-- (<data>/agents/<conversation>/), where no other conversation's agent can reach it. Transcripts
-- written before that sat together in one folder per instance; at start the server moves each one
-- that an unexpired conversation still continues into that conversation's home, and deletes the rest.

-- { sdkSessionId: conversationId } for the unexpired conversations that continue any of
-- p_sdk_session_ids; {} when none does.
create function tether.conversations_for_sessions(p_sdk_session_ids text[])
returns jsonb
language sql stable as $$
  select coalesce(jsonb_object_agg(c.sdk_session_id, c.id), '{}'::jsonb)
    from tether.conversations c
   where c.sdk_session_id = any(p_sdk_session_ids)
     and c.expires_at > now()
$$;

-- See 000003: functions need their grants spelled out.
revoke all on function tether.conversations_for_sessions(text[]) from public, anon, authenticated;
grant execute on function tether.conversations_for_sessions(text[]) to service_role;
