-- Private workspaces, still without accounts: a workspace whose workspace.json says
-- "access": "invite" answers only its members, visitor ids that opened one of its invite links
-- (or a member's handoff link). Which workspaces are private lives in workspace.json beside their
-- files; who is a member lives here, so every instance agrees and a revoke reaches them all.

create table tether.workspace_members (
  workspace    text not null,
  visitor_id   text not null,
  -- What the members list shows and what revoking names: never the visitor id itself.
  member_id    uuid not null default gen_random_uuid() unique,
  label        text not null default '',
  user_agent   text not null default '',
  -- How it came in: 'invite' (an invite link) or 'handoff' (a member's handoff link).
  via          text not null check (via in ('invite', 'handoff')),
  joined_at    timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  primary key (workspace, visitor_id)
);
alter table tether.workspace_members enable row level security;
revoke all on table tether.workspace_members from public, anon, authenticated;
grant all privileges on table tether.workspace_members to service_role;

-- An invite link: a number of uses before a deadline. Only the token's SHA-256 is kept.
create table tether.workspace_invites (
  token_hash text primary key,
  workspace  text not null,
  label      text not null default '',
  uses_left  integer not null check (uses_left >= 0),
  expires_at timestamptz not null,
  -- The member who made it in the app; null when the operator made it.
  created_by uuid,
  created_at timestamptz not null default now()
);
create index workspace_invites_workspace_idx on tether.workspace_invites (workspace, expires_at);
alter table tether.workspace_invites enable row level security;
revoke all on table tether.workspace_invites from public, anon, authenticated;
grant all privileges on table tether.workspace_invites to service_role;

-- Makes an invite. Invites of the workspace past their deadline for 30 days go at the same
-- time (kept until then so an old link can still say it expired rather than "not valid").
create function tether.create_invite(p_workspace text, p_token_hash text, p_label text, p_uses integer, p_ttl_seconds integer, p_created_by uuid)
returns jsonb
language plpgsql as $$
declare
  v_expires timestamptz := now() + p_ttl_seconds * interval '1 second';
begin
  delete from tether.workspace_invites where workspace = p_workspace and expires_at < now() - interval '30 days';
  insert into tether.workspace_invites (token_hash, workspace, label, uses_left, expires_at, created_by)
  values (p_token_hash, p_workspace, coalesce(p_label, ''), p_uses, v_expires, p_created_by);
  return jsonb_build_object('expiresAt', tether.iso_time(v_expires));
end
$$;

-- Opens an invite: { status: 'ok', memberId } and the caller is a member (one use spent; none when
-- it already was one), or { status } 'used', 'expired' or 'unknown' (no such invite, or another
-- workspace's).
create function tether.redeem_invite(p_token_hash text, p_workspace text, p_visitor_id text, p_user_agent text)
returns jsonb
language plpgsql as $$
declare
  v_invite tether.workspace_invites;
  v_member uuid;
begin
  select * into v_invite from tether.workspace_invites
   where token_hash = p_token_hash and workspace = p_workspace
     for update;
  if not found then
    return jsonb_build_object('status', 'unknown');
  end if;
  select member_id into v_member from tether.workspace_members where workspace = p_workspace and visitor_id = p_visitor_id;
  if found then
    return jsonb_build_object('status', 'ok', 'memberId', v_member);
  end if;
  if v_invite.uses_left = 0 then
    return jsonb_build_object('status', 'used');
  end if;
  if v_invite.expires_at <= now() then
    return jsonb_build_object('status', 'expired');
  end if;
  update tether.workspace_invites set uses_left = uses_left - 1 where token_hash = p_token_hash;
  insert into tether.workspace_members (workspace, visitor_id, label, user_agent, via)
  values (p_workspace, p_visitor_id, v_invite.label, p_user_agent, 'invite')
  returning member_id into v_member;
  return jsonb_build_object('status', 'ok', 'memberId', v_member);
end
$$;

-- Makes the caller a member without an invite: a browser that opened a member's handoff link acts
-- with that member's rights, so it must get past the gate. Keeps an existing membership as it is.
create function tether.admit_member(p_workspace text, p_visitor_id text, p_label text, p_user_agent text, p_via text)
returns void
language sql as $$
  insert into tether.workspace_members (workspace, visitor_id, label, user_agent, via)
  values (p_workspace, p_visitor_id, coalesce(p_label, ''), p_user_agent, p_via)
  on conflict (workspace, visitor_id) do nothing
$$;

-- The caller's member id when it is a member of the workspace, else null. Notes it as seen (at most
-- every 30 s, so a polling tab doesn't write on each request).
create function tether.workspace_member(p_workspace text, p_visitor_id text)
returns uuid
language plpgsql as $$
declare
  v_member uuid;
begin
  update tether.workspace_members set last_seen_at = now()
   where workspace = p_workspace and visitor_id = p_visitor_id and last_seen_at < now() - interval '30 seconds';
  select member_id into v_member from tether.workspace_members where workspace = p_workspace and visitor_id = p_visitor_id;
  return v_member;
end
$$;

-- Which of these visitors are still members (an open event stream's periodic check).
create function tether.present_members(p_workspace text, p_visitor_ids text[])
returns jsonb
language sql stable as $$
  select coalesce(jsonb_agg(m.visitor_id order by m.visitor_id), '[]'::jsonb)
    from tether.workspace_members m
   where m.workspace = p_workspace and m.visitor_id = any(p_visitor_ids)
$$;

-- The workspace's members, oldest first: { memberId, label, userAgent, via, joinedAt, lastSeenAt }.
create function tether.list_members(p_workspace text)
returns jsonb
language sql stable as $$
  select coalesce(jsonb_agg(jsonb_build_object(
           'memberId', m.member_id,
           'label', m.label,
           'userAgent', m.user_agent,
           'via', m.via,
           'joinedAt', tether.iso_time(m.joined_at),
           'lastSeenAt', tether.iso_time(m.last_seen_at))
         order by m.joined_at, m.member_id), '[]'::jsonb)
    from tether.workspace_members m
   where m.workspace = p_workspace
$$;

-- Removes the member whose id starts with p_member (the list shows a short form; at least 4 of its
-- hex digits): { status: 'ok', memberId } or { status } 'unknown' or 'ambiguous'. Its notifications
-- in the workspace stop with it (those its browser asked for, on any conversation, and those of its
-- own conversations asked for before devices were recorded).
create function tether.revoke_member(p_workspace text, p_member text)
returns jsonb
language plpgsql as $$
declare
  v_matches uuid[];
  v_member tether.workspace_members;
begin
  if p_member !~ '^[0-9a-f-]{4,36}$' then
    return jsonb_build_object('status', 'unknown');
  end if;
  select array_agg(member_id) into v_matches from tether.workspace_members
   where workspace = p_workspace and member_id::text like p_member || '%';
  if v_matches is null then
    return jsonb_build_object('status', 'unknown');
  end if;
  if cardinality(v_matches) > 1 then
    return jsonb_build_object('status', 'ambiguous');
  end if;
  delete from tether.workspace_members where member_id = v_matches[1] returning * into v_member;
  delete from tether.push_subscriptions s
   using tether.conversations c
   where c.id = s.conversation_id and c.workspace = p_workspace
     and (s.device_visitor_id = v_member.visitor_id or (s.device_visitor_id is null and c.visitor_id = v_member.visitor_id));
  return jsonb_build_object('status', 'ok', 'memberId', v_member.member_id);
end
$$;

-- See 000003: functions need their grants spelled out.
revoke all on function tether.create_invite(text, text, text, integer, integer, uuid) from public, anon, authenticated;
revoke all on function tether.redeem_invite(text, text, text, text) from public, anon, authenticated;
revoke all on function tether.admit_member(text, text, text, text, text) from public, anon, authenticated;
revoke all on function tether.workspace_member(text, text) from public, anon, authenticated;
revoke all on function tether.present_members(text, text[]) from public, anon, authenticated;
revoke all on function tether.list_members(text) from public, anon, authenticated;
revoke all on function tether.revoke_member(text, text) from public, anon, authenticated;
grant execute on function tether.create_invite(text, text, text, integer, integer, uuid) to service_role;
grant execute on function tether.redeem_invite(text, text, text, text) to service_role;
grant execute on function tether.admit_member(text, text, text, text, text) to service_role;
grant execute on function tether.workspace_member(text, text) to service_role;
grant execute on function tether.present_members(text, text[]) to service_role;
grant execute on function tether.list_members(text) to service_role;
grant execute on function tether.revoke_member(text, text) to service_role;
