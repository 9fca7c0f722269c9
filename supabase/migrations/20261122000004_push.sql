-- Web Push: per-conversation mute and push subscriptions.
--
-- A subscription belongs to a conversation and a browser endpoint: one conversation is followed
-- by several devices, and one browser endpoint may follow many conversations, so the key is
-- (conversation, endpoint). Subscriptions live exactly as long as their conversation (sliding
-- 24 h expiry): purging or deleting the conversation cascades to them.

alter table tether.conversations add column muted boolean not null default false;

create table tether.push_subscriptions (
  conversation_id uuid not null references tether.conversations on delete cascade,
  endpoint        text not null,
  p256dh          text not null,
  auth            text not null,
  show_preview    boolean not null default false,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  primary key (conversation_id, endpoint)
);
-- A push service's 404/410 kills the endpoint for every conversation it follows.
create index push_subscriptions_endpoint_idx on tether.push_subscriptions (endpoint);

alter table tether.push_subscriptions enable row level security;
revoke all on table tether.push_subscriptions from public, anon, authenticated;
grant all privileges on table tether.push_subscriptions to service_role;

-- The conversation JSON gains `muted` (same keys otherwise).
create or replace function tether.conversation_json(p_c tether.conversations) returns jsonb
language sql stable as $$
  select jsonb_build_object(
    'id', p_c.id,
    'visitorId', p_c.visitor_id,
    'workspace', p_c.workspace,
    'sdkSessionId', p_c.sdk_session_id,
    'title', p_c.title,
    'muted', p_c.muted,
    'createdAt', tether.iso_time(p_c.created_at),
    'lastActivityAt', tether.iso_time(p_c.last_activity_at),
    'expiresAt', tether.iso_time(p_c.expires_at))
$$;

-- Stores (or refreshes: keys and preview choice change when a browser re-subscribes) the
-- subscription, when the conversation is the visitor's and unexpired; false otherwise, so the
-- caller answers 404. A conversation keeps its 10 most recently refreshed devices: a client
-- cannot make one finished run fan out to an unbounded list of endpoints.
create function tether.subscribe_push(
  p_conversation_id uuid, p_visitor_id text, p_workspace text, p_endpoint text,
  p_public_key text, p_auth_secret text, p_show_preview boolean
) returns boolean
language plpgsql as $$
begin
  insert into tether.push_subscriptions as s
    (conversation_id, endpoint, p256dh, auth, show_preview, created_at, updated_at)
  select c.id, p_endpoint, p_public_key, p_auth_secret, coalesce(p_show_preview, false), now(), now()
    from tether.conversations c
   where c.id = p_conversation_id
     and c.visitor_id = p_visitor_id
     and c.workspace = p_workspace
     and c.expires_at > now()
  on conflict (conversation_id, endpoint) do update
    set p256dh = excluded.p256dh,
        auth = excluded.auth,
        show_preview = excluded.show_preview,
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

-- Removes one device from the visitor's conversation. NULL when the conversation is not the
-- visitor's (or gone); otherwise whether a subscription was removed (false again on a repeat).
create function tether.unsubscribe_push(
  p_conversation_id uuid, p_visitor_id text, p_workspace text, p_endpoint text
) returns boolean
language plpgsql as $$
begin
  perform 1 from tether.conversations
   where id = p_conversation_id and visitor_id = p_visitor_id and workspace = p_workspace
     and expires_at > now();
  if not found then
    return null;
  end if;
  delete from tether.push_subscriptions
   where conversation_id = p_conversation_id and endpoint = p_endpoint;
  return found;
end
$$;

-- Mutes or unmutes the visitor's unexpired conversation; the stored value, or NULL when it is
-- not theirs. Does not slide the expiry (a setting is not activity).
create function tether.set_muted(p_id uuid, p_visitor_id text, p_workspace text, p_muted boolean)
returns boolean
language sql as $$
  update tether.conversations
     set muted = p_muted
   where id = p_id and visitor_id = p_visitor_id and workspace = p_workspace
     and expires_at > now()
  returning muted
$$;

-- Where a finished run's notice goes: { muted, subscriptions: [{ endpoint, p256dh, auth,
-- showPreview }] } (oldest device first), or NULL when the conversation is gone or expired.
create function tether.push_targets(p_conversation_id uuid) returns jsonb
language sql stable as $$
  select jsonb_build_object(
           'muted', c.muted,
           'subscriptions', coalesce((
             select jsonb_agg(jsonb_build_object(
                      'endpoint', s.endpoint,
                      'p256dh', s.p256dh,
                      'auth', s.auth,
                      'showPreview', s.show_preview)
                    order by s.created_at, s.endpoint)
               from tether.push_subscriptions s
              where s.conversation_id = c.id), '[]'::jsonb))
    from tether.conversations c
   where c.id = p_conversation_id and c.expires_at > now()
$$;

-- The push service answered 404/410: the endpoint is dead for every conversation it followed.
-- Returns how many subscriptions went.
create function tether.delete_push_subscription(p_endpoint text) returns integer
language sql as $$
  with gone as (
    delete from tether.push_subscriptions where endpoint = p_endpoint returning 1
  )
  select count(*)::integer from gone
$$;

-- New functions are executable by PUBLIC by default (see 000003): lock each one down.
revoke all on function tether.subscribe_push(uuid, text, text, text, text, text, boolean) from public, anon, authenticated;
revoke all on function tether.unsubscribe_push(uuid, text, text, text) from public, anon, authenticated;
revoke all on function tether.set_muted(uuid, text, text, boolean) from public, anon, authenticated;
revoke all on function tether.push_targets(uuid) from public, anon, authenticated;
revoke all on function tether.delete_push_subscription(text) from public, anon, authenticated;
grant execute on function tether.subscribe_push(uuid, text, text, text, text, text, boolean) to service_role;
grant execute on function tether.unsubscribe_push(uuid, text, text, text) to service_role;
grant execute on function tether.set_muted(uuid, text, text, boolean) to service_role;
grant execute on function tether.push_targets(uuid) to service_role;
grant execute on function tether.delete_push_subscription(text) to service_role;
