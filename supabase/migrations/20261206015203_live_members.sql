-- Who has a live team channel where, for many guilds at once: the guilds of one gateway shard (Discord routes
-- guild g to shard (g >> 22) % shards) or a list of guilds. The worker holding a shard keeps this in memory,
-- so a voice connect by anyone else costs nothing. Answers the rosters of the active matches' channels there
-- (one entry per rostered account), each guild's link policy, and what deciding who is who needs about those
-- accounts (link_rows, every guild's server links): the worker applies the same rule (linksInGuild) as
-- match_channels_for_member does for one member.
create function public.match_live_members(
  p_guild_ids text[] default null, p_shard integer default null, p_shard_count integer default null
)
returns jsonb language plpgsql stable set search_path = '' as $$
declare v_rosters jsonb; v_ids text[];
begin
  select coalesce(jsonb_agg(jsonb_build_object(
           'guild_id', a.guild_id, 'match_id', a.match_id, 'voice_channel_id', a.voice_channel_id,
           'faceit_id', r.faceit_id)), '[]'::jsonb),
         coalesce(array_agg(distinct r.faceit_id), '{}')
    into v_rosters, v_ids
    from public.active_matches a
    join public.match_states s on s.match_id = a.match_id and s.status = 'active'
    join public.match_rosters r on r.match_id = a.match_id and r.faction = a.faction
   where (p_guild_ids is null or a.guild_id = any (p_guild_ids))
     and case when p_shard is null then true
              when a.guild_id !~ '^\d{1,20}$' then false
              else mod(floor(a.guild_id::numeric / 4194304), p_shard_count) = p_shard end;
  return public.link_rows(v_ids, null, null) || jsonb_build_object(
    'rosters', v_rosters,
    'policies', (select coalesce(jsonb_object_agg(g.guild_id, g.link_policy), '{}'::jsonb)
                   from public.guild_settings g
                  where g.guild_id in (select x->>'guild_id' from jsonb_array_elements(v_rosters) x))
  );
end
$$;

revoke execute on function public.match_live_members(text[], integer, integer) from public, anon, authenticated;
grant execute on function public.match_live_members(text[], integer, integer) to service_role;
