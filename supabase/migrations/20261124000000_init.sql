-- Core tables of the FACEIT → Discord bridge. Only the service (service_role) reads or writes them:
-- RLS is on with no policies, and no grant is given to anon/authenticated.

create table public.player_links (
  discord_id      text primary key,
  faceit_id       text not null unique,
  faceit_nickname text not null,
  verified_method text not null check (verified_method in ('oauth', 'nickname')),
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now()
);

create table public.active_matches (
  match_id         text not null,
  faction          text not null check (faction in ('faction1', 'faction2')),
  guild_id         text not null,
  voice_channel_id text not null,
  created_at       timestamptz not null default now(),
  primary key (match_id, faction)
);
create unique index active_matches_voice_channel_id_key on public.active_matches (voice_channel_id);

-- One row per match the bridge has heard of: the state machine's memory. It outlives the
-- active_matches rows, so an event arriving after the end is recognised as late (the ended marker).
create table public.match_states (
  match_id        text primary key,
  status          text not null default 'active' check (status in ('active', 'ended')),
  last_event      text,
  payload_version integer,
  ended_reason    text,
  ended_at        timestamptz,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now()
);
create index match_states_ended_at_idx on public.match_states (ended_at) where status = 'ended';

create function public.touch_updated_at() returns trigger
language plpgsql set search_path = '' as $$
begin
  new.updated_at := now();
  return new;
end
$$;

create trigger player_links_touch before update on public.player_links
  for each row execute function public.touch_updated_at();
create trigger match_states_touch before update on public.match_states
  for each row execute function public.touch_updated_at();

alter table public.player_links enable row level security;
alter table public.active_matches enable row level security;
alter table public.match_states enable row level security;

revoke all on public.player_links, public.active_matches, public.match_states from anon, authenticated;
grant select, insert, update, delete on public.player_links, public.active_matches, public.match_states
  to service_role;
revoke execute on function public.touch_updated_at() from public, anon, authenticated;
