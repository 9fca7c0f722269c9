-- Many devices, no account: the conversation carries the capabilities. A browser that opens a
-- handoff link becomes one of the conversation's devices: for that conversation alone it acts
-- with the owner's rights (history, send, Stop, approvals, notifications); nothing else of the
-- owner's is reachable from it.

create table tether.conversation_devices (
  conversation_id uuid not null references tether.conversations on delete cascade,
  visitor_id      text not null,
  -- What the devices list shows (and what revoking names): never the visitor id itself.
  device_id       uuid not null default gen_random_uuid() unique,
  user_agent      text not null default '',
  added_at        timestamptz not null default now(),
  last_seen_at    timestamptz not null default now(),
  primary key (conversation_id, visitor_id)
);
create index conversation_devices_visitor_idx on tether.conversation_devices (visitor_id);
alter table tether.conversation_devices enable row level security;
revoke all on table tether.conversation_devices from public, anon, authenticated;
grant all privileges on table tether.conversation_devices to service_role;

-- A handoff link: single use, short-lived. Only the token's SHA-256 is kept.
create table tether.handoff_links (
  token_hash      text primary key,
  conversation_id uuid not null references tether.conversations on delete cascade,
  expires_at      timestamptz not null,
  used_at         timestamptz
);
alter table tether.handoff_links enable row level security;
revoke all on table tether.handoff_links from public, anon, authenticated;
grant all privileges on table tether.handoff_links to service_role;

-- Which device asked for a notification, so revoking a device also stops its notifications.
alter table tether.push_subscriptions add column device_visitor_id text;

-- subscribe_push as in 000004, noting which device subscribed (p_device_visitor_id: the
-- browser's own visitor id, which differs from p_visitor_id, the owner's, on a handed-off device).
drop function tether.subscribe_push(uuid, text, text, text, text, text, boolean);
create function tether.subscribe_push(
  p_conversation_id uuid, p_visitor_id text, p_workspace text, p_endpoint text,
  p_public_key text, p_auth_secret text, p_show_preview boolean, p_device_visitor_id text
) returns boolean
language plpgsql as $$
begin
  insert into tether.push_subscriptions as s
    (conversation_id, endpoint, p256dh, auth, show_preview, device_visitor_id, created_at, updated_at)
  select c.id, p_endpoint, p_public_key, p_auth_secret, coalesce(p_show_preview, false), p_device_visitor_id, now(), now()
    from tether.conversations c
   where c.id = p_conversation_id
     and c.visitor_id = p_visitor_id
     and c.workspace = p_workspace
     and c.expires_at > now()
  on conflict (conversation_id, endpoint) do update
    set p256dh = excluded.p256dh,
        auth = excluded.auth,
        show_preview = excluded.show_preview,
        device_visitor_id = excluded.device_visitor_id,
        updated_at = now();
  if not found then
    return false;
  end if;

  delete from tether.push_subscriptions
   where conversation_id = p_conversation_id
     and endpoint not in (
       select endpoint from tether.push_subscriptions
        where conversation_id = p_conversation_id
        order by updated_at desc, endpoint
        limit 10);
  return true;
end
$$;

-- Whose rights p_visitor_id has on a live conversation of the workspace: the owner's visitor id
-- when p_visitor_id is the owner or one of its devices, else null. Notes the device as seen (at
-- most every 30 s, so a polling tab doesn't write on each request).
create function tether.conversation_actor(p_conversation_id uuid, p_visitor_id text, p_workspace text)
returns text
language plpgsql as $$
declare
  v_owner text;
begin
  select visitor_id into v_owner from tether.conversations
   where id = p_conversation_id and workspace = p_workspace and expires_at > now();
  if not found then
    return null;
  end if;
  if v_owner <> p_visitor_id
     and not exists (select 1 from tether.conversation_devices where conversation_id = p_conversation_id and visitor_id = p_visitor_id) then
    return null;
  end if;
  update tether.conversation_devices set last_seen_at = now()
   where conversation_id = p_conversation_id and visitor_id = p_visitor_id and last_seen_at < now() - interval '30 seconds';
  return v_owner;
end
$$;

-- The same for a run, through its conversation.
create function tether.run_actor(p_run_id uuid, p_visitor_id text, p_workspace text)
returns text
language sql as $$
  select tether.conversation_actor(r.conversation_id, p_visitor_id, p_workspace)
    from tether.runs r where r.id = p_run_id
$$;

-- Makes a handoff link for a device of the conversation (the caller, p_visitor_id, already
-- checked to act for it): lists the caller among the devices, so the dialog can show it.
create function tether.create_handoff(p_conversation_id uuid, p_visitor_id text, p_user_agent text, p_token_hash text, p_ttl_seconds integer)
returns jsonb
language plpgsql as $$
declare
  v_expires timestamptz := now() + p_ttl_seconds * interval '1 second';
begin
  insert into tether.conversation_devices (conversation_id, visitor_id, user_agent)
  values (p_conversation_id, p_visitor_id, p_user_agent)
  on conflict (conversation_id, visitor_id) do update set user_agent = excluded.user_agent, last_seen_at = now();
  -- Kept (spent or expired) until the conversation goes, so an old link can say what became of it.
  insert into tether.handoff_links (token_hash, conversation_id, expires_at) values (p_token_hash, p_conversation_id, v_expires);
  return jsonb_build_object('expiresAt', tether.iso_time(v_expires));
end
$$;

-- Opens a handoff link: { status: 'ok', conversationId } and the caller is a device of that
-- conversation (the link is spent), or { status } 'used', 'expired' or 'unknown' (no such link,
-- or another workspace's).
create function tether.redeem_handoff(p_token_hash text, p_visitor_id text, p_workspace text, p_user_agent text)
returns jsonb
language plpgsql as $$
declare
  v_link tether.handoff_links;
begin
  select l.* into v_link from tether.handoff_links l
    join tether.conversations c on c.id = l.conversation_id
   where l.token_hash = p_token_hash and c.workspace = p_workspace and c.expires_at > now()
     for update of l;
  if not found then
    return jsonb_build_object('status', 'unknown');
  end if;
  if v_link.used_at is not null then
    return jsonb_build_object('status', 'used');
  end if;
  if v_link.expires_at <= now() then
    return jsonb_build_object('status', 'expired');
  end if;
  update tether.handoff_links set used_at = now() where token_hash = p_token_hash;
  insert into tether.conversation_devices (conversation_id, visitor_id, user_agent)
  values (v_link.conversation_id, p_visitor_id, p_user_agent)
  on conflict (conversation_id, visitor_id) do update set user_agent = excluded.user_agent, last_seen_at = now();
  return jsonb_build_object('status', 'ok', 'conversationId', v_link.conversation_id);
end
$$;

-- The conversation's devices, oldest first: { deviceId, userAgent, addedAt, lastSeenAt, current }.
create function tether.list_devices(p_conversation_id uuid, p_visitor_id text)
returns jsonb
language sql stable as $$
  select coalesce(jsonb_agg(jsonb_build_object(
           'deviceId', d.device_id,
           'userAgent', d.user_agent,
           'addedAt', tether.iso_time(d.added_at),
           'lastSeenAt', tether.iso_time(d.last_seen_at),
           'current', d.visitor_id = p_visitor_id)
         order by d.added_at, d.device_id), '[]'::jsonb)
    from tether.conversation_devices d
   where d.conversation_id = p_conversation_id
$$;

-- Takes a device's access away (never the caller's own): it loses the conversation on its next
-- request, and its notifications for it stop. When it was the owner, the caller becomes the
-- owner. False when there is no such other device.
create function tether.revoke_device(p_conversation_id uuid, p_device_id uuid, p_visitor_id text)
returns boolean
language plpgsql as $$
declare
  v_revoked text;
begin
  delete from tether.conversation_devices
   where conversation_id = p_conversation_id and device_id = p_device_id and visitor_id <> p_visitor_id
  returning visitor_id into v_revoked;
  if not found then
    return false;
  end if;
  delete from tether.push_subscriptions where conversation_id = p_conversation_id and device_visitor_id = v_revoked;
  update tether.conversations set visitor_id = p_visitor_id where id = p_conversation_id and visitor_id = v_revoked;
  return true;
end
$$;

-- The Recent list's badges (000003) for the devices' conversations too, with the latest run's id:
-- a tab sees a run that another device (or tab) started.
create or replace function tether.conversation_statuses(p_visitor_id text, p_workspace text, p_ids uuid[])
returns jsonb
language sql stable as $$
  select coalesce(
           jsonb_agg(jsonb_build_object(
             'id', c.id,
             'lastRunId', r.id,
             'lastRunStatus', r.status,
             'lastRunFinishedAt', tether.iso_time(r.finished_at))
           order by array_position(p_ids, c.id)),
           '[]'::jsonb)
    from tether.conversations c
    left join lateral (
      select lr.id, lr.status, lr.finished_at
        from tether.runs lr
       where lr.conversation_id = c.id
       order by lr.started_at desc, lr.id desc
       limit 1
    ) r on true
   where c.id = any(p_ids)
     and (c.visitor_id = p_visitor_id
          or exists (select 1 from tether.conversation_devices d where d.conversation_id = c.id and d.visitor_id = p_visitor_id))
     and c.workspace = p_workspace
     and c.expires_at > now()
$$;

-- See 000003: functions need their grants spelled out.
revoke all on function tether.subscribe_push(uuid, text, text, text, text, text, boolean, text) from public, anon, authenticated;
grant execute on function tether.subscribe_push(uuid, text, text, text, text, text, boolean, text) to service_role;
revoke all on function tether.conversation_actor(uuid, text, text) from public, anon, authenticated;
revoke all on function tether.run_actor(uuid, text, text) from public, anon, authenticated;
revoke all on function tether.create_handoff(uuid, text, text, text, integer) from public, anon, authenticated;
revoke all on function tether.redeem_handoff(text, text, text, text) from public, anon, authenticated;
revoke all on function tether.list_devices(uuid, text) from public, anon, authenticated;
revoke all on function tether.revoke_device(uuid, uuid, text) from public, anon, authenticated;
grant execute on function tether.conversation_actor(uuid, text, text) to service_role;
grant execute on function tether.run_actor(uuid, text, text) to service_role;
grant execute on function tether.create_handoff(uuid, text, text, text, integer) to service_role;
grant execute on function tether.redeem_handoff(text, text, text, text) to service_role;
grant execute on function tether.list_devices(uuid, text) to service_role;
grant execute on function tether.revoke_device(uuid, uuid, text) to service_role;
