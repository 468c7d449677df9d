-- Many guilds per match (issue 14): one match may get channels in several guilds, so what was per match
-- becomes per (match, guild): the channel rows, the move claims, and (in the worker) the channel leases
-- and their intent markers. The match's state (match_states: its ended marker) stays per match: a match
-- ending ends it in every guild. Rosters stay per match too (FACEIT's, the same in every guild).

-- Channel rows: every row already carries the guild it was built in (written since the first
-- migration), so existing rows keep their guild; only the key changes.
alter table public.active_matches drop constraint active_matches_pkey;
alter table public.active_matches add primary key (match_id, guild_id, faction);

-- Move claims: a player moved in one guild may still be moved in another. Rule for existing rows (all
-- written by a single-guild deployment): the guild of the match's channel rows; else the guild the env
-- seeds (DISCORD_GUILD_ID, source 'env'); else '' (a claim of an ended, cleaned-up match that no guild
-- asks for again; the retention prune removes it with its match).
alter table public.match_moves add column guild_id text;
update public.match_moves m
   set guild_id = coalesce(
     (select a.guild_id from public.active_matches a where a.match_id = m.match_id limit 1),
     (select g.guild_id from public.guild_settings g where g.source = 'env' order by g.updated_at desc limit 1),
     '');
alter table public.match_moves alter column guild_id set not null;
alter table public.match_moves drop constraint match_moves_pkey;
alter table public.match_moves add primary key (match_id, guild_id, discord_id);

-- The functions that read or write those rows take the guild. The old signatures go (PostgREST would
-- otherwise see two candidates for one call).
drop function public.match_claim_move(text, text, text, integer);
drop function public.match_confirm_move(text, text, text);
drop function public.match_unclaim_move(text, text, text);
drop function public.match_channels_for_player(text);
drop function public.match_forget(text, text);
drop function public.match_channel_begin(text, text, text, text, integer);
drop function public.match_channel_record(text, text, text, text, text);

-- As before (20261202050000), per (match, guild, player): 'claimed', 'done' or 'held'.
create function public.match_claim_move(
  p_match_id text, p_guild_id text, p_discord_id text, p_holder text default null,
  p_ttl_seconds integer default 30
)
returns text language plpgsql set search_path = '' as $$
declare
  v_holder text := coalesce(p_holder, md5(random()::text || clock_timestamp()::text));
  v_taken text;
  v_moved timestamptz;
begin
  insert into public.match_moves as m (match_id, guild_id, discord_id, moved_at, holder, expires_at)
  values (p_match_id, p_guild_id, p_discord_id, null, v_holder, now() + make_interval(secs => p_ttl_seconds))
  on conflict (match_id, guild_id, discord_id) do update
    set holder = excluded.holder, expires_at = excluded.expires_at
    where m.moved_at is null and (m.holder = excluded.holder or m.expires_at < now())
  returning m.holder into v_taken;
  if v_taken is not null then
    return 'claimed';
  end if;
  select moved_at into v_moved from public.match_moves
   where match_id = p_match_id and guild_id = p_guild_id and discord_id = p_discord_id;
  return case when v_moved is not null then 'done' else 'held' end;
end
$$;

create function public.match_confirm_move(
  p_match_id text, p_guild_id text, p_discord_id text, p_holder text
)
returns boolean language plpgsql set search_path = '' as $$
declare v_n integer;
begin
  update public.match_moves
     set moved_at = now(), holder = null, expires_at = null
   where match_id = p_match_id and guild_id = p_guild_id and discord_id = p_discord_id
     and moved_at is null and holder = p_holder;
  get diagnostics v_n = row_count;
  return v_n = 1;
end
$$;

create function public.match_unclaim_move(
  p_match_id text, p_guild_id text, p_discord_id text, p_holder text default null
)
returns void language sql set search_path = '' as $$
  delete from public.match_moves
   where match_id = p_match_id and guild_id = p_guild_id and discord_id = p_discord_id
     and moved_at is null and (p_holder is null or holder = p_holder);
$$;

-- The team channel(s) in this guild of active matches a Discord user is rostered in (late joiners: a
-- voice connect in guild G looks up the (match, G) rows only).
create function public.match_channels_for_player(p_discord_id text, p_guild_id text)
returns table (match_id text, faction text, voice_channel_id text)
language sql stable set search_path = '' as $$
  select a.match_id, a.faction, a.voice_channel_id
    from public.player_links pl
    join public.match_rosters r on r.faceit_id = pl.faceit_id
    join public.active_matches a
      on a.match_id = r.match_id and a.faction = r.faction and a.guild_id = p_guild_id
    join public.match_states s on s.match_id = a.match_id and s.status = 'active'
   where pl.discord_id = p_discord_id;
$$;

create function public.match_forget(p_match_id text, p_guild_id text, p_faction text)
returns void language sql set search_path = '' as $$
  delete from public.active_matches
   where match_id = p_match_id and guild_id = p_guild_id and faction = p_faction;
$$;

-- As in 20261202080000, for the (match, guild, faction) row; the lease key (and so its intent marker)
-- names the guild too, chosen by the worker.
create function public.match_channel_begin(
  p_match_id text, p_guild_id text, p_faction text, p_lease_key text, p_holder text, p_ttl_seconds integer
)
returns table (taken boolean, ended boolean, voice_channel_id text, maybe_orphan boolean)
language plpgsql set search_path = '' as $$
declare v_fresh text;
begin
  if not public.lease_take(p_lease_key, p_holder, p_ttl_seconds) then
    return query select false, null::boolean, null::text, null::boolean;
    return;
  end if;
  insert into public.bridge_leases (lease_key, holder, expires_at)
  values (p_lease_key || ':intent', p_holder, now() + interval '1 day')
  on conflict (lease_key) do nothing
  returning lease_key into v_fresh;
  return query
    select true,
           exists (select 1 from public.match_states s where s.match_id = p_match_id and s.status = 'ended'),
           (select a.voice_channel_id from public.active_matches a
             where a.match_id = p_match_id and a.guild_id = p_guild_id and a.faction = p_faction),
           v_fresh is null;
end
$$;

-- The match_states row is locked first, as before: a concurrent match_end either committed before
-- (seen here) or waits for this commit (and its finish fan-out, which reads the rows after, sees this row).
create function public.match_channel_record(
  p_match_id text, p_faction text, p_guild_id text, p_voice_channel_id text, p_lease_key text
)
returns boolean language plpgsql set search_path = '' as $$
declare v_status text;
begin
  insert into public.match_states (match_id) values (p_match_id) on conflict (match_id) do nothing;
  select s.status into v_status from public.match_states s where s.match_id = p_match_id for update;
  insert into public.active_matches as a (match_id, faction, guild_id, voice_channel_id)
  values (p_match_id, p_faction, p_guild_id, p_voice_channel_id)
  on conflict (match_id, guild_id, faction) do update set voice_channel_id = excluded.voice_channel_id;
  delete from public.bridge_leases where lease_key = p_lease_key || ':intent';
  return v_status = 'ended';
end
$$;

revoke execute on function
  public.match_claim_move(text, text, text, text, integer),
  public.match_confirm_move(text, text, text, text),
  public.match_unclaim_move(text, text, text, text),
  public.match_channels_for_player(text, text),
  public.match_forget(text, text, text),
  public.match_channel_begin(text, text, text, text, text, integer),
  public.match_channel_record(text, text, text, text, text)
  from public, anon, authenticated;
grant execute on function
  public.match_claim_move(text, text, text, text, integer),
  public.match_confirm_move(text, text, text, text),
  public.match_unclaim_move(text, text, text, text),
  public.match_channels_for_player(text, text),
  public.match_forget(text, text, text),
  public.match_channel_begin(text, text, text, text, text, integer),
  public.match_channel_record(text, text, text, text, text)
  to service_role;
