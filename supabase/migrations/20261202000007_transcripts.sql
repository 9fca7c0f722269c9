-- Transcripts in the database: with a shared PostgreSQL, each agent's SDK transcript is mirrored
-- here (the SDK's SessionStore), so any instance resumes any conversation and shows its history,
-- whatever its own disk holds. Rows belong to their conversation: deleting or purging it deletes
-- its transcript (on delete cascade). Keys are the SDK's: a project key, a session id and a
-- subpath ('' = the main transcript, else a subagent's), scoped to one conversation.

create table tether.transcript_entries (
  seq             bigserial primary key, -- the order entries were appended in
  conversation_id uuid not null references tether.conversations on delete cascade,
  project_key     text not null,
  session_id      text not null,
  subpath         text not null default '',
  uuid            text,                  -- most entries carry one: appending it again is a no-op
  entry           json not null,         -- json, not jsonb: kept as written, and \u0000 (which jsonb refuses) fits
  created_at      timestamptz not null default now()
);
create index transcript_entries_key_idx on tether.transcript_entries (conversation_id, project_key, session_id, subpath, seq);
create unique index transcript_entries_uuid_idx on tether.transcript_entries (conversation_id, project_key, session_id, subpath, uuid) where uuid is not null;

alter table tether.transcript_entries enable row level security;
revoke all on table tether.transcript_entries from public, anon, authenticated;
grant all privileges on table tether.transcript_entries to service_role;
grant usage on sequence tether.transcript_entries_seq_seq to service_role;

-- Appends p_entries (each one entry's JSON text) in their order; p_uuids[i] is entry i's uuid
-- or null (read by the caller: Postgres can't take a field out of JSON holding \u0000). An entry
-- whose uuid is already stored under the key is skipped: the SDK retries failed batches.
create function tether.transcript_append(p_conversation_id uuid, p_project_key text, p_session_id text, p_subpath text, p_entries text[], p_uuids text[])
returns void
language sql as $$
  insert into tether.transcript_entries (conversation_id, project_key, session_id, subpath, uuid, entry)
  select p_conversation_id, p_project_key, p_session_id, p_subpath, item.uuid, item.entry::json
    from unnest(p_entries, p_uuids) with ordinality as item(entry, uuid, position)
   order by item.position
  on conflict do nothing
$$;

-- The entries under one key in append order; null when none were ever stored.
create function tether.transcript_load(p_conversation_id uuid, p_project_key text, p_session_id text, p_subpath text)
returns json
language sql stable as $$
  select json_agg(entry order by seq)
    from tether.transcript_entries
   where conversation_id = p_conversation_id and project_key = p_project_key and session_id = p_session_id and subpath = p_subpath
$$;

-- [{ sessionId, mtime }] of the main transcripts under a project key (mtime: epoch milliseconds).
create function tether.transcript_sessions(p_conversation_id uuid, p_project_key text)
returns jsonb
language sql stable as $$
  select coalesce(jsonb_agg(jsonb_build_object('sessionId', session_id, 'mtime', mtime)), '[]'::jsonb)
    from (
      select session_id, floor(extract(epoch from max(created_at)) * 1000)::bigint as mtime
        from tether.transcript_entries
       where conversation_id = p_conversation_id and project_key = p_project_key and subpath = ''
       group by session_id
    ) sessions
$$;

-- The subpaths (subagent transcripts) stored under a session.
create function tether.transcript_subkeys(p_conversation_id uuid, p_project_key text, p_session_id text)
returns jsonb
language sql stable as $$
  select coalesce(jsonb_agg(distinct subpath), '[]'::jsonb)
    from tether.transcript_entries
   where conversation_id = p_conversation_id and project_key = p_project_key and session_id = p_session_id and subpath <> ''
$$;

-- Deletes one subpath's entries, or (p_subpath null) the session's main transcript and every subpath.
create function tether.transcript_delete(p_conversation_id uuid, p_project_key text, p_session_id text, p_subpath text)
returns void
language sql as $$
  delete from tether.transcript_entries
   where conversation_id = p_conversation_id and project_key = p_project_key and session_id = p_session_id
     and (p_subpath is null or subpath = p_subpath)
$$;

-- See 000003: functions need their grants spelled out.
revoke all on function tether.transcript_append(uuid, text, text, text, text[], text[]) from public, anon, authenticated;
revoke all on function tether.transcript_load(uuid, text, text, text) from public, anon, authenticated;
revoke all on function tether.transcript_sessions(uuid, text) from public, anon, authenticated;
revoke all on function tether.transcript_subkeys(uuid, text, text) from public, anon, authenticated;
revoke all on function tether.transcript_delete(uuid, text, text, text) from public, anon, authenticated;
grant execute on function tether.transcript_append(uuid, text, text, text, text[], text[]) to service_role;
grant execute on function tether.transcript_load(uuid, text, text, text) to service_role;
grant execute on function tether.transcript_sessions(uuid, text) to service_role;
grant execute on function tether.transcript_subkeys(uuid, text, text) to service_role;
grant execute on function tether.transcript_delete(uuid, text, text, text) to service_role;
