-- The live match card (/setup cards): the text channel a guild wants cards in, and one card per
-- (match, guild). The row is written before the message is posted (under the card's lease), so a retry
-- after a crash between posting and storing the id knows to look for the message it may have posted.

alter table public.guild_settings
  add column cards_channel_id text check (cards_channel_id ~ '^\d{17,20}$');

create table public.match_cards (
  -- A match's state row exists before its card (the jobs touch it first); the retention sweep's delete
  -- of that row takes the card row with it.
  match_id     text not null references public.match_states (match_id) on delete cascade,
  guild_id     text not null references public.guild_settings (guild_id) on delete cascade,
  channel_id   text not null check (channel_id ~ '^\d{17,20}$'),
  -- null until the message is posted and its id stored.
  message_id   text check (message_id ~ '^\d{17,20}$'),
  -- What the card shows (the domain's CardInput), so an event re-renders it without asking FACEIT.
  card         jsonb,
  -- faceit_elo per FACEIT id, read when the match was ready (the finish shows the change).
  elo_before   jsonb,
  -- The status last set on the team voice channels ('' = none).
  voice_status text not null default '' check (char_length(voice_status) <= 500),
  -- Finished / cancelled / aborted rendered: no earlier stage may overwrite it.
  final        boolean not null default false,
  created_at   timestamptz not null default now(),
  updated_at   timestamptz not null default now(),
  primary key (match_id, guild_id)
);

create trigger match_cards_touch before update on public.match_cards
  for each row execute function public.touch_updated_at();

alter table public.match_cards enable row level security;
revoke all on public.match_cards from anon, authenticated;
grant select, insert, update, delete on public.match_cards to service_role;
