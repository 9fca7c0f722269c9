-- Tether core: conversations (visitor + workspace scoped, sliding expiry) and agent runs.
-- All persistence logic lives here as SQL functions so the three transports (PGlite, Postgres,
-- Supabase PostgREST) behave identically. Stay within PostgreSQL 15 (Supabase); PGlite is 18.
-- Functions return jsonb with camelCase keys and UTC ISO-8601 times ("...T...Z", like
-- Date#toISOString) so every transport hands the app the same plain JSON whatever the session
-- TimeZone is.

create schema if not exists tether;

create table tether.conversations (
  id               uuid primary key,
  visitor_id       text not null,
  workspace        text not null,
  sdk_session_id   text,
  title            text,
  created_at       timestamptz not null default now(),
  last_activity_at timestamptz not null default now(),
  expires_at       timestamptz not null
);
create index conversations_expires_at_idx on tether.conversations (expires_at);

create table tether.runs (
  id              uuid primary key,
  conversation_id uuid not null references tether.conversations on delete cascade,
  model           text not null,
  mode            text not null,
  status          text not null default 'running'
                  check (status in ('running', 'completed', 'failed', 'stopped', 'interrupted')),
  started_at      timestamptz not null default now(),
  finished_at     timestamptz,
  cost_usd        double precision,
  input_tokens    integer,
  output_tokens   integer,
  duration_ms     integer,
  error           text
);
create index runs_conversation_started_idx on tether.runs (conversation_id, started_at);

-- ---------------------------------------------------------------------------------------------
-- JSON shapes (one place, so every function returns the same keys)

create function tether.iso_time(p_at timestamptz) returns jsonb
language sql stable as $$
  select to_jsonb(to_char(p_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
$$;

create function tether.conversation_json(p_c tether.conversations) returns jsonb
language sql stable as $$
  select jsonb_build_object(
    'id', p_c.id,
    'visitorId', p_c.visitor_id,
    'workspace', p_c.workspace,
    'sdkSessionId', p_c.sdk_session_id,
    'title', p_c.title,
    'createdAt', tether.iso_time(p_c.created_at),
    'lastActivityAt', tether.iso_time(p_c.last_activity_at),
    'expiresAt', tether.iso_time(p_c.expires_at))
$$;

create function tether.run_json(p_r tether.runs) returns jsonb
language sql stable as $$
  select jsonb_build_object(
    'id', p_r.id,
    'conversationId', p_r.conversation_id,
    'model', p_r.model,
    'mode', p_r.mode,
    'status', p_r.status,
    'startedAt', tether.iso_time(p_r.started_at),
    'finishedAt', tether.iso_time(p_r.finished_at),
    'costUsd', p_r.cost_usd,
    'inputTokens', p_r.input_tokens,
    'outputTokens', p_r.output_tokens,
    'durationMs', p_r.duration_ms,
    'error', p_r.error)
$$;

-- ---------------------------------------------------------------------------------------------
-- Conversations

-- Creates the conversation or refreshes it (sliding expiry). NULL when the id belongs to another
-- (visitor, workspace): the caller answers 404 and never learns the conversation exists.
create function tether.open_conversation(
  p_id uuid, p_visitor_id text, p_workspace text, p_title text, p_ttl_seconds integer
) returns jsonb
language plpgsql as $$
declare
  v_row tether.conversations;
begin
  -- Purge on access: an expired id starts over as a brand-new conversation.
  delete from tether.conversations where id = p_id and expires_at <= now();

  -- One statement, so two tabs opening the same id at once cannot both insert.
  insert into tether.conversations as c
    (id, visitor_id, workspace, title, created_at, last_activity_at, expires_at)
  values
    (p_id, p_visitor_id, p_workspace, p_title, now(), now(), now() + p_ttl_seconds * interval '1 second')
  on conflict (id) do update
    set last_activity_at = now(),
        expires_at = excluded.expires_at,
        title = coalesce(c.title, excluded.title)
    where c.visitor_id = excluded.visitor_id and c.workspace = excluded.workspace
  returning c.* into v_row;

  if not found then
    return null; -- someone else's conversation
  end if;
  return tether.conversation_json(v_row);
end
$$;

-- Read without touching expiry; NULL when missing, expired (and then purged) or not the caller's.
create function tether.get_conversation(p_id uuid, p_visitor_id text, p_workspace text)
returns jsonb
language plpgsql as $$
declare
  v_row tether.conversations;
begin
  delete from tether.conversations where id = p_id and expires_at <= now();

  select * into v_row from tether.conversations
   where id = p_id and visitor_id = p_visitor_id and workspace = p_workspace;
  if not found then
    return null;
  end if;
  return tether.conversation_json(v_row);
end
$$;

-- Maps the conversation to the Claude SDK session (NULL clears it, e.g. after
-- "No conversation found with session ID"). An expired conversation is not revived.
create function tether.set_session(p_id uuid, p_sdk_session_id text, p_ttl_seconds integer)
returns void
language sql as $$
  update tether.conversations
     set sdk_session_id = p_sdk_session_id,
         last_activity_at = now(),
         expires_at = now() + p_ttl_seconds * interval '1 second'
   where id = p_id and expires_at > now()
$$;

-- ---------------------------------------------------------------------------------------------
-- Runs

create function tether.start_run(p_id uuid, p_conversation_id uuid, p_model text, p_mode text)
returns jsonb
language plpgsql as $$
declare
  v_row tether.runs;
begin
  insert into tether.runs (id, conversation_id, model, mode, status, started_at)
  values (p_id, p_conversation_id, p_model, p_mode, 'running', now())
  returning * into v_row;
  return tether.run_json(v_row);
end
$$;

-- Only a run still 'running' is finished, so a late Stop after completion (or a second finish
-- after a restart marked it interrupted) cannot overwrite the real outcome. NULL when nothing
-- changed.
create function tether.finish_run(
  p_id uuid, p_status text, p_cost_usd double precision, p_input_tokens integer,
  p_output_tokens integer, p_duration_ms integer, p_error text
) returns jsonb
language plpgsql as $$
declare
  v_row tether.runs;
begin
  if p_status is null or p_status not in ('completed', 'failed', 'stopped', 'interrupted') then
    raise exception 'finish_run: invalid final status %', coalesce(p_status, 'NULL')
      using errcode = '22023'; -- invalid_parameter_value
  end if;

  update tether.runs
     set status = p_status,
         finished_at = now(),
         cost_usd = p_cost_usd,
         input_tokens = p_input_tokens,
         output_tokens = p_output_tokens,
         duration_ms = p_duration_ms,
         error = p_error
   where id = p_id and status = 'running'
  returning * into v_row;

  if not found then
    return null;
  end if;
  return tether.run_json(v_row);
end
$$;

create function tether.list_runs(p_conversation_id uuid) returns jsonb
language sql stable as $$
  select coalesce(jsonb_agg(tether.run_json(r) order by r.started_at, r.id), '[]'::jsonb)
    from tether.runs r
   where r.conversation_id = p_conversation_id
$$;

-- Called at server start: runs live in the server process, so any still 'running' died with it.
create function tether.interrupt_running_runs() returns integer
language sql as $$
  with changed as (
    update tether.runs
       set status = 'interrupted', finished_at = now()
     where status = 'running'
    returning 1
  )
  select count(*)::integer from changed
$$;

-- ---------------------------------------------------------------------------------------------
-- Housekeeping (on a timer; reads also purge on access)

create function tether.purge_expired() returns integer
language sql as $$
  with gone as (
    delete from tether.conversations where expires_at <= now() returning 1
  )
  select count(*)::integer from gone
$$;
