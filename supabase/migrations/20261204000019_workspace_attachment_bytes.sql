-- Attachments count toward their workspace's disk quota (features/attachments/server/workspace-room.ts).
-- They are kept here, not on the workspace's image, so the server adds what the workspace's
-- conversations hold here to what its image uses, and an upload that would take the two past the
-- quota is refused.

-- The sum is per workspace, and conversations had no index on it.
create index conversations_workspace_idx on tether.conversations (workspace);

-- The bytes of every attachment of p_workspace's conversations: expired ones too, which take their
-- space until they are purged. As jsonb: a bigint comes back as a string through pg.
create function tether.workspace_attachment_bytes(p_workspace text) returns jsonb
language sql stable as $$
  select to_jsonb(coalesce(sum(a.size_bytes), 0))
    from tether.attachments a
    join tether.conversations c on c.id = a.conversation_id
   where c.workspace = p_workspace
$$;

-- As in 000018, plus p_max_workspace_bytes: the most the workspace's attachments may come to with
-- this one (what its quota leaves beside its image's files), or null when it has no quota. Past it:
-- { status: 'workspace_full', workspaceBytes }. Replaced rather than overloaded: a named call
-- without the new argument would match both.
drop function tether.save_attachment(uuid, text, text, text, text, text, integer, integer, integer, bigint);
create function tether.save_attachment(
  p_conversation_id uuid, p_visitor_id text, p_workspace text, p_name text, p_media_type text,
  p_data text, p_width integer, p_height integer, p_max_unsent_count integer, p_max_unsent_bytes bigint,
  p_max_workspace_bytes bigint default null
) returns jsonb
language plpgsql as $$
declare
  v_bytes bytea := decode(p_data, 'base64');
  v_count integer;
  v_total bigint;
  v_stored bigint;
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
  if p_max_workspace_bytes is not null then
    -- Uploads to the workspace's other conversations, too, are summed one after the other (taken
    -- after the conversation's row lock, as every upload takes them: no deadlock).
    perform pg_advisory_xact_lock(hashtext('tether.attachments'), hashtext(p_workspace));
    v_stored := (tether.workspace_attachment_bytes(p_workspace))::bigint;
    if v_stored + octet_length(v_bytes) > p_max_workspace_bytes then
      return jsonb_build_object('status', 'workspace_full', 'workspaceBytes', v_stored);
    end if;
  end if;
  insert into tether.attachments (conversation_id, name, media_type, size_bytes, bytes, width, height)
  values (p_conversation_id, p_name, p_media_type, octet_length(v_bytes), v_bytes, p_width, p_height)
  returning * into v_row;
  return jsonb_build_object('status', 'saved', 'attachment', tether.attachment_json(v_row));
end
$$;

-- See 000003: functions need their grants spelled out.
revoke all on function tether.workspace_attachment_bytes(text) from public, anon, authenticated;
revoke all on function tether.save_attachment(uuid, text, text, text, text, text, integer, integer, integer, bigint, bigint) from public, anon, authenticated;
grant execute on function tether.workspace_attachment_bytes(text) to service_role;
grant execute on function tether.save_attachment(uuid, text, text, text, text, text, integer, integer, integer, bigint, bigint) to service_role;
