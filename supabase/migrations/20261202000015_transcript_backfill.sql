-- A database blip loses no transcript: after an outage (and at start, after a crash) an instance
-- compares the CLI's transcript files on its disk with the store and sends what the store lacks.
-- Entries are compared by key: the uuid most carry, else 'md5:' and the MD5 of the entry's JSON
-- as stored (json keeps the text as written, so the instance computes the same hash).

-- The 0-based positions in p_keys of the entries the store lacks under the key.
create function tether.transcript_missing(p_conversation_id uuid, p_project_key text, p_session_id text, p_subpath text, p_keys text[])
returns jsonb
language sql stable as $$
  select coalesce(jsonb_agg(item.position - 1 order by item.position), '[]'::jsonb)
    from unnest(p_keys) with ordinality as item(key, position)
   where not exists (
     select 1
       from tether.transcript_entries stored
      where stored.conversation_id = p_conversation_id and stored.project_key = p_project_key
        and stored.session_id = p_session_id and stored.subpath = p_subpath
        and case when item.key like 'md5:%'
                 then stored.uuid is null and md5(stored.entry::text) = substr(item.key, 5)
                 else stored.uuid = item.key end
   )
$$;

-- See 000003: functions need their grants spelled out.
revoke all on function tether.transcript_missing(uuid, text, text, text, text[]) from public, anon, authenticated;
grant execute on function tether.transcript_missing(uuid, text, text, text, text[]) to service_role;
