-- What a match job reads between the FACEIT fetch and its first channel, in one round trip instead of three
-- concurrent ones (issue 15): the player links of the match's players, the guilds that may take it (with
-- their follows that may), and optionally the first channel lease in one guild, taken ahead of routing.

-- The guilds that may take a match: every guild with a follow of kind all or members, or of one of the
-- match's competition/organizer ids (`p_targets`), with its settings and those follows. One definition,
-- used by GuildStore.candidates and by match_route_reads.
create function public.guild_candidates(p_targets text[])
returns jsonb language sql stable set search_path = '' as $$
  select coalesce(jsonb_agg(c order by c ->> 'guild_id'), '[]'::jsonb)
    from (
      select to_jsonb(s) || jsonb_build_object(
               'guild_follows',
               (select jsonb_agg(jsonb_build_object('kind', f.kind, 'target_id', f.target_id)
                                 order by f.kind, f.target_id)
                  from public.guild_follows f
                 where f.guild_id = s.guild_id
                   and (f.kind in ('all', 'members') or f.target_id = any (p_targets)))
             ) as c
        from public.guild_settings s
       where exists (select 1 from public.guild_follows f
                      where f.guild_id = s.guild_id
                        and (f.kind in ('all', 'members') or f.target_id = any (p_targets)))
    ) candidates;
$$;

-- links: player_links rows of `p_faceit_ids`; candidates: guild_candidates(p_targets); begun: when a lease
-- is asked for (p_lease_key not null), match_channel_begin's answer (taken, ended, voice_channel_id,
-- maybe_orphan), else null.
create function public.match_route_reads(
  p_faceit_ids text[], p_targets text[],
  p_match_id text default null, p_guild_id text default null, p_faction text default null,
  p_lease_key text default null, p_holder text default null, p_ttl_seconds integer default 30
)
returns jsonb language plpgsql set search_path = '' as $$
declare v_begun jsonb;
begin
  if p_lease_key is not null then
    select to_jsonb(b) into v_begun
      from public.match_channel_begin(p_match_id, p_guild_id, p_faction, p_lease_key, p_holder, p_ttl_seconds) b;
  end if;
  return jsonb_build_object(
    'links', (select coalesce(jsonb_agg(to_jsonb(l)), '[]'::jsonb)
                from public.player_links l where l.faceit_id = any (p_faceit_ids)),
    'candidates', public.guild_candidates(p_targets),
    'begun', v_begun
  );
end
$$;

revoke execute on function
  public.guild_candidates(text[]),
  public.match_route_reads(text[], text[], text, text, text, text, text, integer)
  from public, anon, authenticated;
grant execute on function
  public.guild_candidates(text[]),
  public.match_route_reads(text[], text[], text, text, text, text, text, integer)
  to service_role;
