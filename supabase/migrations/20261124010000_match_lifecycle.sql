-- Match voice-channel lifecycle: the atomic decisions (ended marker, per-key lease, move claim) as SQL
-- functions the worker calls through supabase.rpc. Only service_role may call them.

-- Who played in which faction (FACEIT ids), so a late joiner can be matched to a team channel.
create table public.match_rosters (
  match_id  text not null,
  faction   text not null check (faction in ('faction1', 'faction2')),
  faceit_id text not null,
  primary key (match_id, faction, faceit_id)
);
create index match_rosters_faceit_id_idx on public.match_rosters (faceit_id);

-- A player is auto-moved at most once per match: someone who leaves on purpose is not dragged back.
create table public.match_moves (
  match_id   text not null,
  discord_id text not null,
  moved_at   timestamptz not null default now(),
  primary key (match_id, discord_id)
);

-- Short leases: one worker at a time creates a (match, faction) channel or an overflow category.
create table public.bridge_leases (
  lease_key  text primary key,
  holder     text not null,
  expires_at timestamptz not null
);

alter table public.match_rosters enable row level security;
alter table public.match_moves enable row level security;
alter table public.bridge_leases enable row level security;
revoke all on public.match_rosters, public.match_moves, public.bridge_leases from anon, authenticated;
grant select, insert, update, delete on public.match_rosters, public.match_moves, public.bridge_leases
  to service_role;

-- Records an event for a match and answers its status ('active' or 'ended'); never revives an ended match.
create function public.match_touch(p_match_id text, p_event text, p_version integer)
returns text language plpgsql set search_path = '' as $$
declare v_status text;
begin
  insert into public.match_states as s (match_id, last_event, payload_version)
  values (p_match_id, p_event, p_version)
  on conflict (match_id) do update
    set last_event = excluded.last_event,
        payload_version = greatest(s.payload_version, excluded.payload_version)
  returning s.status into v_status;
  return v_status;
end
$$;

-- The ended marker (tombstone): set before any cleanup, outlives the active_matches rows.
create function public.match_end(p_match_id text, p_reason text)
returns void language sql set search_path = '' as $$
  insert into public.match_states (match_id, status, ended_reason, ended_at, last_event)
  values (p_match_id, 'ended', p_reason, now(), p_reason)
  on conflict (match_id) do update
    set status = 'ended',
        ended_reason = coalesce(public.match_states.ended_reason, excluded.ended_reason),
        ended_at = coalesce(public.match_states.ended_at, excluded.ended_at);
$$;

create function public.match_is_ended(p_match_id text)
returns boolean language sql stable set search_path = '' as $$
  select exists (select 1 from public.match_states where match_id = p_match_id and status = 'ended');
$$;

-- Replaces a faction's roster with the one FACEIT reports now (substitutions).
create function public.match_set_roster(p_match_id text, p_faction text, p_faceit_ids text[])
returns void language plpgsql set search_path = '' as $$
begin
  delete from public.match_rosters
   where match_id = p_match_id and faction = p_faction and faceit_id <> all (p_faceit_ids);
  insert into public.match_rosters (match_id, faction, faceit_id)
  select p_match_id, p_faction, unnest(p_faceit_ids)
  on conflict do nothing;
end
$$;

-- Takes (or re-takes, for the same holder) a lease; true when the caller now holds it.
create function public.lease_take(p_key text, p_holder text, p_ttl_seconds integer)
returns boolean language plpgsql set search_path = '' as $$
declare v_holder text;
begin
  insert into public.bridge_leases as l (lease_key, holder, expires_at)
  values (p_key, p_holder, now() + make_interval(secs => p_ttl_seconds))
  on conflict (lease_key) do update
    set holder = excluded.holder, expires_at = excluded.expires_at
    where l.holder = excluded.holder or l.expires_at < now()
  returning l.holder into v_holder;
  return v_holder is not null;
end
$$;

create function public.lease_release(p_key text, p_holder text)
returns void language sql set search_path = '' as $$
  delete from public.bridge_leases where lease_key = p_key and holder = p_holder;
$$;

-- True exactly once per (match, player): the caller that gets true does the move.
create function public.match_claim_move(p_match_id text, p_discord_id text)
returns boolean language plpgsql set search_path = '' as $$
declare v_n integer;
begin
  insert into public.match_moves (match_id, discord_id) values (p_match_id, p_discord_id)
  on conflict do nothing;
  get diagnostics v_n = row_count;
  return v_n = 1;
end
$$;

-- Gives a claim back when the move failed for a reason worth retrying.
create function public.match_unclaim_move(p_match_id text, p_discord_id text)
returns void language sql set search_path = '' as $$
  delete from public.match_moves where match_id = p_match_id and discord_id = p_discord_id;
$$;

-- The team channel(s) of active matches a Discord user is rostered in (for late joiners).
create function public.match_channels_for_player(p_discord_id text)
returns table (match_id text, faction text, voice_channel_id text)
language sql stable set search_path = '' as $$
  select a.match_id, a.faction, a.voice_channel_id
    from public.player_links pl
    join public.match_rosters r on r.faceit_id = pl.faceit_id
    join public.active_matches a on a.match_id = r.match_id and a.faction = r.faction
    join public.match_states s on s.match_id = a.match_id and s.status = 'active'
   where pl.discord_id = p_discord_id;
$$;

-- Matches not ended yet, for the sweep.
create function public.match_list_active()
returns table (match_id text, created_at timestamptz)
language sql stable set search_path = '' as $$
  select match_id, created_at from public.match_states where status = 'active';
$$;

-- Forgets a match's rows once its channels are gone (the match_states tombstone stays).
create function public.match_forget(p_match_id text, p_faction text)
returns void language sql set search_path = '' as $$
  delete from public.active_matches where match_id = p_match_id and faction = p_faction;
$$;

revoke execute on function
  public.match_touch(text, text, integer), public.match_end(text, text), public.match_is_ended(text),
  public.match_set_roster(text, text, text[]), public.lease_take(text, text, integer),
  public.lease_release(text, text), public.match_claim_move(text, text),
  public.match_unclaim_move(text, text), public.match_channels_for_player(text),
  public.match_list_active(), public.match_forget(text, text)
  from public, anon, authenticated;
grant execute on function
  public.match_touch(text, text, integer), public.match_end(text, text), public.match_is_ended(text),
  public.match_set_roster(text, text, text[]), public.lease_take(text, text, integer),
  public.lease_release(text, text), public.match_claim_move(text, text),
  public.match_unclaim_move(text, text), public.match_channels_for_player(text),
  public.match_list_active(), public.match_forget(text, text)
  to service_role;
