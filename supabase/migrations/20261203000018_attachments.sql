-- Attachments: files a visitor sends with a message (screenshots, photos, PDFs, logs). They live
-- here, not on an instance's disk, so every instance serves them, and they belong to their
-- conversation: deleting or purging it deletes them (on delete cascade). An attachment is
-- uploaded before its message is sent (unsent: run_id null), then attached to that message's run.
--
-- The bytes travel as base64 text in and out of the functions: PostgREST (the Supabase transport)
-- carries only JSON, so this is the one encoding all three transports agree on.

create table tether.attachments (
  id              uuid primary key default gen_random_uuid(),
  conversation_id uuid not null references tether.conversations on delete cascade,
  -- The run of the message it was sent with; null until then.
  run_id          uuid references tether.runs on delete set null,
  name            text not null,
  -- As detected from the bytes by the server, never as the browser declared it.
  media_type      text not null,
  size_bytes      integer not null,
  bytes           bytea not null,
  -- Images only: both or neither.
  width           integer,
  height          integer,
  created_at      timestamptz not null default now(),
  check ((width is null) = (height is null))
);
create index attachments_conversation_idx on tether.attachments (conversation_id, created_at);
create index attachments_run_idx on tether.attachments (run_id) where run_id is not null;
-- Out of line and uncompressed: images and PDFs are compressed already, so TOAST's pglz would
-- spend CPU on every write for nothing.
alter table tether.attachments alter column bytes set storage external;

alter table tether.attachments enable row level security;
revoke all on table tether.attachments from public, anon, authenticated;
grant all privileges on table tether.attachments to service_role;

-- Everything but the bytes.
create function tether.attachment_json(p_a tether.attachments) returns jsonb
language sql stable as $$
  select jsonb_build_object(
    'id', p_a.id,
    'conversationId', p_a.conversation_id,
    'runId', p_a.run_id,
    'name', p_a.name,
    'mediaType', p_a.media_type,
    'size', p_a.size_bytes,
    'width', p_a.width,
    'height', p_a.height,
    'createdAt', tether.iso_time(p_a.created_at))
$$;

-- Saves an attachment to a live conversation of p_visitor_id (the owner: the caller resolved a
-- device to it) in p_workspace. p_data is the file as base64; its size is counted here.
-- { status: 'saved', attachment } or { status: 'unknown' } (not the visitor's, expired, missing:
-- alike), or { status: 'full', unsentCount, unsentBytes } when the conversation's unsent
-- attachments, with this one, would pass p_max_unsent_count or p_max_unsent_bytes: they are the
-- next message's, so they stay within what one message may carry.
create function tether.save_attachment(
  p_conversation_id uuid, p_visitor_id text, p_workspace text, p_name text, p_media_type text,
  p_data text, p_width integer, p_height integer, p_max_unsent_count integer, p_max_unsent_bytes bigint
) returns jsonb
language plpgsql as $$
declare
  v_bytes bytea := decode(p_data, 'base64');
  v_count integer;
  v_total bigint;
  v_row tether.attachments;
begin
  -- The row lock makes two uploads at once count one after the other.
  perform 1 from tether.conversations
   where id = p_conversation_id and visitor_id = p_visitor_id and workspace = p_workspace and expires_at > now()
     for update;
  if not found then
    return jsonb_build_object('status', 'unknown');
  end if;
  select count(*), coalesce(sum(size_bytes), 0) into v_count, v_total
    from tether.attachments
   where conversation_id = p_conversation_id and run_id is null;
  if v_count + 1 > p_max_unsent_count or v_total + octet_length(v_bytes) > p_max_unsent_bytes then
    return jsonb_build_object('status', 'full', 'unsentCount', v_count, 'unsentBytes', v_total);
  end if;
  insert into tether.attachments (conversation_id, name, media_type, size_bytes, bytes, width, height)
  values (p_conversation_id, p_name, p_media_type, octet_length(v_bytes), v_bytes, p_width, p_height)
  returning * into v_row;
  return jsonb_build_object('status', 'saved', 'attachment', tether.attachment_json(v_row));
end
$$;

-- One attachment of a live conversation of p_visitor_id in p_workspace, with its bytes
-- (`data`, base64); null when there is none (or the conversation is someone else's).
create function tether.get_attachment(p_conversation_id uuid, p_id uuid, p_visitor_id text, p_workspace text)
returns jsonb
language sql stable as $$
  select tether.attachment_json(a) || jsonb_build_object('data', translate(encode(a.bytes, 'base64'), E'\n', ''))
    from tether.attachments a
    join tether.conversations c on c.id = a.conversation_id
   where a.id = p_id
     and a.conversation_id = p_conversation_id
     and c.visitor_id = p_visitor_id
     and c.workspace = p_workspace
     and c.expires_at > now()
$$;

-- The conversation's attachments, oldest first, without their bytes; [] when there are none or
-- the conversation is not p_visitor_id's (alike, so the answer reveals nothing).
create function tether.list_attachments(p_conversation_id uuid, p_visitor_id text, p_workspace text)
returns jsonb
language sql stable as $$
  select coalesce(jsonb_agg(tether.attachment_json(a) order by a.created_at, a.id), '[]'::jsonb)
    from tether.attachments a
    join tether.conversations c on c.id = a.conversation_id
   where a.conversation_id = p_conversation_id
     and c.visitor_id = p_visitor_id
     and c.workspace = p_workspace
     and c.expires_at > now()
$$;

-- Sends unsent attachments with a message: p_ids (all of them, or none) get the run p_run_id of
-- the same conversation (the caller already checked to act for it). Their JSON in p_ids' order;
-- null, and nothing changes, when any id is not an unsent attachment of the conversation or the
-- run is another conversation's.
create function tether.attach_attachments(p_conversation_id uuid, p_run_id uuid, p_ids uuid[])
returns jsonb
language plpgsql as $$
declare
  v_wanted integer := (select count(distinct id) from unnest(p_ids) as id);
  v_found integer;
  v_attached jsonb;
begin
  if not exists (select 1 from tether.runs where id = p_run_id and conversation_id = p_conversation_id) then
    return null;
  end if;
  -- Locked, so a concurrent send can't take the same ones between the count and the update.
  select count(*) into v_found from (
    select 1 from tether.attachments
     where id = any(p_ids) and conversation_id = p_conversation_id and run_id is null
       for update) unsent;
  if v_found <> v_wanted then
    return null;
  end if;
  with attached as (
    update tether.attachments set run_id = p_run_id
     where id = any(p_ids) and conversation_id = p_conversation_id
    returning *
  )
  select coalesce(jsonb_agg(tether.attachment_json(a) order by array_position(p_ids, a.id)), '[]'::jsonb) into v_attached
    from attached a;
  return v_attached;
end
$$;

-- Takes back an unsent attachment (a chip removed before sending). 'deleted', 'sent' (it went
-- with a message, and stays with it), or null when there is no such attachment of p_visitor_id's.
create function tether.delete_attachment(p_conversation_id uuid, p_id uuid, p_visitor_id text, p_workspace text)
returns text
language plpgsql as $$
declare
  v_run_id uuid;
begin
  select a.run_id into v_run_id
    from tether.attachments a
    join tether.conversations c on c.id = a.conversation_id
   where a.id = p_id and a.conversation_id = p_conversation_id
     and c.visitor_id = p_visitor_id and c.workspace = p_workspace and c.expires_at > now()
     for update of a;
  if not found then
    return null;
  end if;
  if v_run_id is not null then
    return 'sent';
  end if;
  delete from tether.attachments where id = p_id;
  return 'deleted';
end
$$;

-- See 000003: functions need their grants spelled out.
revoke all on function tether.attachment_json(tether.attachments) from public, anon, authenticated;
revoke all on function tether.save_attachment(uuid, text, text, text, text, text, integer, integer, integer, bigint) from public, anon, authenticated;
revoke all on function tether.get_attachment(uuid, uuid, text, text) from public, anon, authenticated;
revoke all on function tether.list_attachments(uuid, text, text) from public, anon, authenticated;
revoke all on function tether.attach_attachments(uuid, uuid, uuid[]) from public, anon, authenticated;
revoke all on function tether.delete_attachment(uuid, uuid, text, text) from public, anon, authenticated;
grant execute on function tether.attachment_json(tether.attachments) to service_role;
grant execute on function tether.save_attachment(uuid, text, text, text, text, text, integer, integer, integer, bigint) to service_role;
grant execute on function tether.get_attachment(uuid, uuid, text, text) to service_role;
grant execute on function tether.list_attachments(uuid, text, text) to service_role;
grant execute on function tether.attach_attachments(uuid, uuid, uuid[]) to service_role;
grant execute on function tether.delete_attachment(uuid, uuid, text, text) to service_role;
