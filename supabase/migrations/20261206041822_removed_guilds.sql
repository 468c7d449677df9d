-- A server that removes the bot keeps its settings for a while: kicking and re-inviting the bot is what people
-- try first when something is wrong, and it must not wipe the server's setup. On removal the server's settings,
-- follows and server links are put aside here (and taken out of every table the bridge reads, as before); a
-- re-invite within the grace period (GUILD_RETENTION_DAYS) puts them back; the sweep forgets older ones.
create table public.removed_guilds (
  guild_id     text primary key check (guild_id ~ '^\d{17,20}$'),
  removed_at   timestamptz not null default now(),
  settings     jsonb not null,
  follows      jsonb not null default '[]',
  server_links jsonb not null default '[]'
);
alter table public.removed_guilds enable row level security;
revoke all on public.removed_guilds from public, anon, authenticated;
grant select, insert, update, delete on public.removed_guilds to service_role;

-- Puts the server's rows aside, then forgets it as guild_forget does (same answer: its channel rows removed).
create function public.guild_shelve(p_guild_id text)
returns integer language plpgsql set search_path = '' as $$
begin
  insert into public.removed_guilds (guild_id, settings, follows, server_links)
  select s.guild_id, to_jsonb(s),
         coalesce((select jsonb_agg(to_jsonb(f)) from public.guild_follows f where f.guild_id = s.guild_id), '[]'),
         coalesce((select jsonb_agg(to_jsonb(o)) from public.guild_player_overrides o where o.guild_id = s.guild_id), '[]')
    from public.guild_settings s where s.guild_id = p_guild_id
  on conflict (guild_id) do update
    set removed_at = now(), settings = excluded.settings, follows = excluded.follows,
        server_links = excluded.server_links;
  return public.guild_forget(p_guild_id);
end
$$;

-- A re-invite: the rows put aside come back when they are younger than p_max_age_days and the server has not
-- been set up again meanwhile (what is there then wins). Answers whether they came back.
create function public.guild_unshelve(p_guild_id text, p_max_age_days integer)
returns boolean language plpgsql set search_path = '' as $$
declare r public.removed_guilds;
begin
  delete from public.removed_guilds where guild_id = p_guild_id returning * into r;
  if not found or r.removed_at < now() - make_interval(days => p_max_age_days)
     or exists (select 1 from public.guild_settings where guild_id = p_guild_id) then
    return false;
  end if;
  insert into public.guild_settings select * from jsonb_populate_record(null::public.guild_settings, r.settings);
  insert into public.guild_follows select * from jsonb_populate_recordset(null::public.guild_follows, r.follows);
  insert into public.guild_player_overrides
    select * from jsonb_populate_recordset(null::public.guild_player_overrides, r.server_links);
  return true;
end
$$;

-- The sweep: servers removed longer ago than p_max_age_days are forgotten for good. Answers how many.
create function public.guild_shelf_expire(p_max_age_days integer)
returns integer language sql set search_path = '' as $$
  with gone as (
    delete from public.removed_guilds where removed_at < now() - make_interval(days => p_max_age_days) returning 1
  ) select count(*)::integer from gone;
$$;

revoke execute on function public.guild_shelve(text), public.guild_unshelve(text, integer),
  public.guild_shelf_expire(integer) from public, anon, authenticated;
grant execute on function public.guild_shelve(text), public.guild_unshelve(text, integer),
  public.guild_shelf_expire(integer) to service_role;
