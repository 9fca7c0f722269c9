-- Retry, Edit and Branch keep a message's attachments: a message that replaces the last one may
-- carry that one's attachments again, and they become its run's; a branch gets its own copies of
-- the attachments of the messages it keeps.

-- A branch's copies keep their ids. Its transcript is copied entry for entry by the Agent SDK, and
-- a message's entry names its attachments by id (features/timeline/server/attachment-marker.ts),
-- both for the history and for the model, which resumes from those entries; new ids would mean
-- rewriting every copied entry that names one. An attachment has always been addressed within
-- its conversation (every function, and the route, take both), so the pair is the key.
alter table tether.attachments drop constraint attachments_pkey, add primary key (conversation_id, id);

-- A copy keeps its run too: the run that sent it, in the conversation it was copied from, where
-- the history the two share shows it sent. So run_id null still means unsent, for copies as for
-- the rest. That run goes when its conversation goes, and the copy stays: no foreign key (a
-- cascade would make the copy look unsent). attach_attachments still takes only a run of the
-- attachment's own conversation.
alter table tether.attachments drop constraint attachments_run_id_fkey;

-- attach_attachments as before, for a message that may also carry attachments sent already:
-- those of p_again (Retry, Edit: the replaced message's, sent again) may be sent ones, and are
-- taken by the new run, as the replaced run no longer shows in the history. Every other id must
-- be unsent. All or none; null, and nothing changes, otherwise. Replaced rather than overloaded:
-- a named call without the new argument would match both.
drop function tether.attach_attachments(uuid, uuid, uuid[]);
create function tether.attach_attachments(p_conversation_id uuid, p_run_id uuid, p_ids uuid[], p_again uuid[] default '{}')
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
     where id = any(p_ids) and conversation_id = p_conversation_id and (run_id is null or id = any(p_again))
       for update) ready;
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

-- delete_attachment as before, deleting within the conversation only: ids repeat across branches.
create or replace function tether.delete_attachment(p_conversation_id uuid, p_id uuid, p_visitor_id text, p_workspace text)
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
  delete from tether.attachments where id = p_id and conversation_id = p_conversation_id;
  return 'deleted';
end
$$;

-- Branch from here: conversation p_to (the branch) gets copies of p_from's sent attachments p_ids
-- (those the messages it keeps carry), bytes and all, with the same ids and runs: its history
-- shows them, its share links serve them, and they go when it goes, whatever becomes of p_from.
-- Only within one workspace; the caller already checked to act for both. The copies' JSON, oldest
-- first; an id that names no sent attachment of p_from is passed over.
create function tether.copy_attachments(p_from uuid, p_to uuid, p_ids uuid[]) returns jsonb
language sql as $$
  with copied as (
    insert into tether.attachments (id, conversation_id, run_id, name, media_type, size_bytes, bytes, width, height, created_at)
    select a.id, t.id, a.run_id, a.name, a.media_type, a.size_bytes, a.bytes, a.width, a.height, a.created_at
      from tether.attachments a
      join tether.conversations f on f.id = a.conversation_id
      join tether.conversations t on t.id = p_to and t.workspace = f.workspace
     where a.conversation_id = p_from and a.id = any(p_ids) and a.run_id is not null and p_to <> p_from
    on conflict (conversation_id, id) do nothing
    returning *
  )
  select coalesce(jsonb_agg(tether.attachment_json(c) order by c.created_at, c.id), '[]'::jsonb)
    from copied c
$$;

-- See 000003: functions need their grants spelled out.
revoke all on function tether.attach_attachments(uuid, uuid, uuid[], uuid[]) from public, anon, authenticated;
revoke all on function tether.copy_attachments(uuid, uuid, uuid[]) from public, anon, authenticated;
grant execute on function tether.attach_attachments(uuid, uuid, uuid[], uuid[]) to service_role;
grant execute on function tether.copy_attachments(uuid, uuid, uuid[]) to service_role;
