-- Many guilds from one deployment: each guild's voice settings and what it follows live here, set with
-- /setup in Discord or seeded from DISCORD_GUILD_ID + VC_* for the single-guild mode. Only the service
-- (service_role) reads or writes them, like the other tables.

create table public.guild_settings (
  guild_id          text primary key check (guild_id ~ '^\d{17,20}$'),
  category_id       text check (category_id ~ '^\d{17,20}$'),
  lobby_channel_id  text check (lobby_channel_id ~ '^\d{17,20}$'),
  staff_role_id     text check (staff_role_id ~ '^\d{17,20}$'),
  spectator_role_id text check (spectator_role_id ~ '^\d{17,20}$'),
  -- Same rule as VC_NAME_TEMPLATE: {short} tells matches apart, {faction} the two teams.
  name_template     text not null default 'match-{short}-{faction}'
                    check (name_template like '%{short}%' and name_template like '%{faction}%'
                           and char_length(name_template) <= 100),
  -- Discord's voice user_limit: 0 = no limit, at most 99.
  user_limit        integer not null default 0 check (user_limit between 0 and 99),
  -- 'env' for the guild DISCORD_GUILD_ID seeds at every start, 'setup' for one configured in Discord.
  source            text not null default 'setup' check (source in ('env', 'setup')),
  created_at        timestamptz not null default now(),
  updated_at        timestamptz not null default now()
);

-- What a guild follows; a guild may follow several, one match may go to several guilds.
-- hub / championship: the match's competition id; organizer: its organizer id; all: every match this
-- deployment receives; members: any match with a linked player who is a member of the guild.
-- target_id is '' for the kinds that take no id (a primary key column cannot be null).
create table public.guild_follows (
  guild_id   text not null references public.guild_settings (guild_id) on delete cascade,
  kind       text not null check (kind in ('hub', 'championship', 'organizer', 'all', 'members')),
  target_id  text not null default '',
  created_at timestamptz not null default now(),
  primary key (guild_id, kind, target_id),
  constraint guild_follows_target_check check (
    case when kind in ('all', 'members') then target_id = ''
         -- FACEIT's own matchmaking carries organizer_id 'faceit' (webhook samples); hubs,
         -- championships and other organizers are uuids.
         when kind = 'organizer' and target_id = 'faceit' then true
         else target_id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' end)
);
-- Routing looks follows up by what a match carries.
create index guild_follows_target_idx on public.guild_follows (kind, target_id);

create trigger guild_settings_touch before update on public.guild_settings
  for each row execute function public.touch_updated_at();

alter table public.guild_settings enable row level security;
alter table public.guild_follows enable row level security;
revoke all on public.guild_settings, public.guild_follows from anon, authenticated;
grant select, insert, update, delete on public.guild_settings, public.guild_follows to service_role;

-- The single-guild mode: DISCORD_GUILD_ID + VC_* at start-up. The environment is the deployment's
-- declared configuration, as before settings moved into the database: each start sets the columns
-- exactly as the variables say (an unset variable clears its column, e.g. no lobby), overriding /setup
-- edits. The spectator role and user limit have no variable and are left alone. A guild that follows
-- nothing follows every match (as before follows existed); one narrowed with /setup follow keeps that.
create function public.guild_seed(
  p_guild_id text, p_category_id text, p_lobby_channel_id text, p_staff_role_id text,
  p_name_template text)
returns void language plpgsql set search_path = '' as $$
begin
  insert into public.guild_settings as g
    (guild_id, category_id, lobby_channel_id, staff_role_id, name_template, source)
  values (p_guild_id, p_category_id, p_lobby_channel_id, p_staff_role_id,
          coalesce(p_name_template, 'match-{short}-{faction}'), 'env')
  on conflict (guild_id) do update
    set category_id = excluded.category_id,
        lobby_channel_id = excluded.lobby_channel_id,
        staff_role_id = excluded.staff_role_id,
        name_template = excluded.name_template,
        source = 'env';
  insert into public.guild_follows (guild_id, kind, target_id)
  select p_guild_id, 'all', ''
   where not exists (select 1 from public.guild_follows where guild_id = p_guild_id)
  on conflict do nothing;
end
$$;

-- The bot left the guild (GUILD_DELETE): its settings and follows go, and the rows of its match
-- channels (the channels went with the guild). Answers how many channel rows were forgotten.
create function public.guild_forget(p_guild_id text)
returns integer language plpgsql set search_path = '' as $$
declare v_rows integer;
begin
  delete from public.active_matches where guild_id = p_guild_id;
  get diagnostics v_rows = row_count;
  delete from public.guild_settings where guild_id = p_guild_id;
  return v_rows;
end
$$;

revoke execute on function public.guild_seed(text, text, text, text, text), public.guild_forget(text)
  from public, anon, authenticated;
grant execute on function public.guild_seed(text, text, text, text, text), public.guild_forget(text)
  to service_role;
