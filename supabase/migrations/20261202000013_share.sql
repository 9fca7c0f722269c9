-- Read-only sharing: at most one link per conversation. Whoever holds it reads the history and
-- watches live runs, nothing more, with no visitor cookie. Only the token's SHA-256 is kept;
-- turning sharing off (or sharing again, which makes a new link) stops the old one at once.
create table tether.share_links (
  conversation_id uuid primary key references tether.conversations on delete cascade,
  token_hash      text not null unique,
  created_at      timestamptz not null default now()
);
alter table tether.share_links enable row level security;
revoke all on table tether.share_links from public, anon, authenticated;
grant all privileges on table tether.share_links to service_role;

-- Shares the conversation under a new token (the caller already checked to act for it).
create function tether.share_conversation(p_conversation_id uuid, p_token_hash text)
returns void
language sql as $$
  insert into tether.share_links (conversation_id, token_hash) values (p_conversation_id, p_token_hash)
  on conflict (conversation_id) do update set token_hash = excluded.token_hash, created_at = now()
$$;

-- Turns sharing off; false when it was off.
create function tether.stop_sharing(p_conversation_id uuid)
returns boolean
language sql as $$
  with gone as (delete from tether.share_links where conversation_id = p_conversation_id returning 1)
  select exists (select 1 from gone)
$$;

create function tether.is_shared(p_conversation_id uuid)
returns boolean
language sql stable as $$
  select exists (select 1 from tether.share_links where conversation_id = p_conversation_id)
$$;

-- What a share token opens in the workspace: { conversationId, ownerId }, or null.
create function tether.shared_conversation(p_token_hash text, p_workspace text)
returns jsonb
language sql stable as $$
  select jsonb_build_object('conversationId', c.id, 'ownerId', c.visitor_id)
    from tether.share_links s
    join tether.conversations c on c.id = s.conversation_id
   where s.token_hash = p_token_hash and c.workspace = p_workspace and c.expires_at > now()
$$;

-- See 000003: functions need their grants spelled out.
revoke all on function tether.share_conversation(uuid, text) from public, anon, authenticated;
revoke all on function tether.stop_sharing(uuid) from public, anon, authenticated;
revoke all on function tether.is_shared(uuid) from public, anon, authenticated;
revoke all on function tether.shared_conversation(text, text) from public, anon, authenticated;
grant execute on function tether.share_conversation(uuid, text) to service_role;
grant execute on function tether.stop_sharing(uuid) to service_role;
grant execute on function tether.is_shared(uuid) to service_role;
grant execute on function tether.shared_conversation(text, text) to service_role;
