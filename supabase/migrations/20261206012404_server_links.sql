-- Identity is global, authority is local. A player's link (player_links) serves every server and is changed
-- only by its owner or by the deployment's operators; a server's admins say who is who in their server only
-- (guild_player_overrides), never for a member with a verified link; a server may count only verified
-- links (link_policy). The worker decides who is who per server (packages/core/src/domain/guild-links.ts)
-- from the rows these functions read.

-- An operator of the deployment may link an account (verified_method 'operator'): proof enough everywhere.
alter table public.player_links drop constraint player_links_verified_method_check;
alter table public.player_links add constraint player_links_verified_method_check
  check (verified_method in ('oauth', 'nickname', 'operator'));

-- Whether nickname claims (/register) count in a server. Servers that exist keep today's behaviour; new
-- ones count verified links only, except the single-guild mode's own server (source 'env'), whose
-- community the operator runs and where nickname links were always the documented way.
alter table public.guild_settings
  add column link_policy text check (link_policy in ('verified-only', 'nickname-allowed'));
update public.guild_settings set link_policy = 'nickname-allowed';
alter table public.guild_settings alter column link_policy set not null;

create function public.guild_settings_link_policy() returns trigger
language plpgsql set search_path = '' as $$
begin
  new.link_policy := coalesce(
    new.link_policy, case when new.source = 'env' then 'nickname-allowed' else 'verified-only' end);
  return new;
end
$$;
create trigger guild_settings_link_policy before insert on public.guild_settings
  for each row execute function public.guild_settings_link_policy();

-- A server's own say about one member, in that server only: they are `faceit_id` there (null: not linked
-- there). Ignored for a member whose link is verified, and for an account someone verified.
create table public.guild_player_overrides (
  guild_id        text not null references public.guild_settings (guild_id) on delete cascade,
  discord_id      text not null check (discord_id ~ '^\d{17,20}$'),
  faceit_id       text,
  faceit_nickname text,
  -- The admin who set it.
  set_by          text not null check (set_by ~ '^\d{17,20}$'),
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  primary key (guild_id, discord_id),
  check ((faceit_id is null) = (faceit_nickname is null))
);
-- One member per account per server.
create unique index guild_player_overrides_account_idx
  on public.guild_player_overrides (guild_id, faceit_id) where faceit_id is not null;
-- The reads look overrides up by the players of a match and by members.
create index guild_player_overrides_faceit_idx
  on public.guild_player_overrides (faceit_id) where faceit_id is not null;
create index guild_player_overrides_discord_idx on public.guild_player_overrides (discord_id);

create trigger guild_player_overrides_touch before update on public.guild_player_overrides
  for each row execute function public.touch_updated_at();

alter table public.guild_player_overrides enable row level security;
revoke all on public.guild_player_overrides from anon, authenticated;
grant select, insert, update, delete on public.guild_player_overrides to service_role;

-- Sets (p_faceit_id null: "not linked in this server") a member's server link, or answers why not:
-- 'member-verified' (their own link is verified), 'account-verified' (someone verified that account),
-- 'account-taken-here' (another member of this server has it here), else 'set'. Under the account's
-- advisory lock, as the linking functions are.
create function public.guild_override_set(
  p_guild_id text, p_discord_id text, p_faceit_id text, p_nickname text, p_set_by text
)
returns text language plpgsql set search_path = '' as $$
begin
  if p_faceit_id is not null then
    perform pg_advisory_xact_lock(hashtext('player_links:' || p_faceit_id));
  end if;
  if exists (select 1 from public.player_links
              where discord_id = p_discord_id and verified_method <> 'nickname') then
    return 'member-verified';
  end if;
  if p_faceit_id is not null then
    if exists (select 1 from public.player_links
                where faceit_id = p_faceit_id and verified_method <> 'nickname') then
      return 'account-verified';
    end if;
    if exists (select 1 from public.guild_player_overrides
                where guild_id = p_guild_id and faceit_id = p_faceit_id and discord_id <> p_discord_id) then
      return 'account-taken-here';
    end if;
  end if;
  insert into public.guild_settings (guild_id) values (p_guild_id) on conflict (guild_id) do nothing;
  insert into public.guild_player_overrides (guild_id, discord_id, faceit_id, faceit_nickname, set_by)
  values (p_guild_id, p_discord_id, p_faceit_id, case when p_faceit_id is null then null else p_nickname end,
          p_set_by)
  on conflict (guild_id, discord_id) do update
    set faceit_id = excluded.faceit_id,
        faceit_nickname = excluded.faceit_nickname,
        set_by = excluded.set_by;
  return 'set';
end
$$;

-- What deciding who is who needs, for these players (p_faceit_ids) and members (p_discord_ids), in one
-- server (p_guild_id) or all (null): their links, the server links about them or their accounts, and the
-- links those server links are judged against (`override_links`: whether that member or account is
-- verified). Either array may be null.
create function public.link_rows(p_faceit_ids text[], p_discord_ids text[], p_guild_id text default null)
returns jsonb language sql stable set search_path = '' as $$
  with l as (
    select p.* from public.player_links p
     where p.faceit_id = any (coalesce(p_faceit_ids, '{}'))
        or p.discord_id = any (coalesce(p_discord_ids, '{}'))
  ), o as (
    select g.guild_id, g.discord_id, g.faceit_id, g.faceit_nickname
      from public.guild_player_overrides g
     where (p_guild_id is null or g.guild_id = p_guild_id)
       and (g.faceit_id = any (coalesce(p_faceit_ids, '{}'))
            or g.discord_id = any (coalesce(p_discord_ids, '{}'))
            or g.faceit_id in (select faceit_id from l)
            or g.discord_id in (select discord_id from l))
  ), extra as (
    select p.* from public.player_links p
     where (p.faceit_id in (select faceit_id from o) or p.discord_id in (select discord_id from o))
       and p.discord_id not in (select discord_id from l)
  )
  select jsonb_build_object(
    'links', (select coalesce(jsonb_agg(to_jsonb(x)), '[]'::jsonb) from l x),
    'overrides', (select coalesce(jsonb_agg(to_jsonb(x)), '[]'::jsonb) from o x),
    'override_links', (select coalesce(jsonb_agg(to_jsonb(x)), '[]'::jsonb) from extra x)
  );
$$;

-- As in 20261202150000, plus the server links about the match's players and the links they are judged
-- against (`overrides`, `override_links`); `links` and the rest are unchanged.
create or replace function public.match_route_reads(
  p_faceit_ids text[], p_targets text[],
  p_match_id text default null, p_guild_id text default null, p_faction text default null,
  p_lease_key text default null, p_holder text default null, p_ttl_seconds integer default 30
)
returns jsonb language plpgsql set search_path = '' as $$
declare v_begun jsonb; v_rows jsonb;
begin
  if p_lease_key is not null then
    select to_jsonb(b) into v_begun
      from public.match_channel_begin(p_match_id, p_guild_id, p_faction, p_lease_key, p_holder, p_ttl_seconds) b;
  end if;
  v_rows := public.link_rows(p_faceit_ids, null, null);
  return jsonb_build_object(
    'links', v_rows -> 'links',
    'overrides', v_rows -> 'overrides',
    'override_links', v_rows -> 'override_links',
    'candidates', public.guild_candidates(p_targets),
    'begun', v_begun
  );
end
$$;

-- A member connected to voice in a server (late joiners): link_rows for them there, the server's policy,
-- and the team channels there of active matches with one of the accounts they may stand for (their own
-- link's, their server link's), each with that account; the worker decides which one they are.
create function public.match_channels_for_member(p_discord_id text, p_guild_id text)
returns jsonb language plpgsql stable set search_path = '' as $$
declare v_ids text[];
begin
  select coalesce(array_agg(x.faceit_id), '{}') into v_ids from (
    select faceit_id from public.player_links where discord_id = p_discord_id
    union
    select faceit_id from public.guild_player_overrides
     where guild_id = p_guild_id and discord_id = p_discord_id and faceit_id is not null
  ) x;
  return public.link_rows(null, array[p_discord_id], p_guild_id) || jsonb_build_object(
    'policy', (select s.link_policy from public.guild_settings s where s.guild_id = p_guild_id),
    'channels', (
      select coalesce(jsonb_agg(jsonb_build_object(
               'match_id', a.match_id, 'faction', a.faction, 'voice_channel_id', a.voice_channel_id,
               'faceit_id', r.faceit_id)), '[]'::jsonb)
        from public.match_rosters r
        join public.active_matches a
          on a.match_id = r.match_id and a.faction = r.faction and a.guild_id = p_guild_id
        join public.match_states s on s.match_id = a.match_id and s.status = 'active'
       where r.faceit_id = any (v_ids))
  );
end
$$;

-- An operator links a FACEIT account to a Discord user: like an OAuth link, it moves the account from
-- whoever held it and counts as verified. Returns the previous holder's Discord id (null: nobody else).
create function public.link_player_operator(p_discord_id text, p_faceit_id text, p_nickname text)
returns text language plpgsql set search_path = '' as $$
declare previous text;
begin
  perform pg_advisory_xact_lock(hashtext('player_links:' || p_faceit_id));
  delete from public.player_links
   where faceit_id = p_faceit_id and discord_id <> p_discord_id
  returning discord_id into previous;
  insert into public.player_links (discord_id, faceit_id, faceit_nickname, verified_method)
  values (p_discord_id, p_faceit_id, p_nickname, 'operator')
  on conflict (discord_id) do update
    set faceit_id = excluded.faceit_id,
        faceit_nickname = excluded.faceit_nickname,
        verified_method = 'operator';
  return previous;
end
$$;

revoke execute on function
  public.guild_settings_link_policy(),
  public.guild_override_set(text, text, text, text, text),
  public.link_rows(text[], text[], text),
  public.match_channels_for_member(text, text),
  public.link_player_operator(text, text, text)
  from public, anon, authenticated;
grant execute on function
  public.guild_override_set(text, text, text, text, text),
  public.link_rows(text[], text[], text),
  public.match_channels_for_member(text, text),
  public.link_player_operator(text, text, text)
  to service_role;
