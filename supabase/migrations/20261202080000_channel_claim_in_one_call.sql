-- Fewer round trips per faction (issue 15). Converging a faction's channel took, before its Discord
-- calls, a lease, then the ended marker and the match's rows; and after them, the row upsert, then a
-- re-check of the ended marker: four sequential PostgREST round trips. Now one call before and one after.

-- Takes the (match, faction) channel lease for p_holder, and in the same call tells whether the match
-- ended and which channel the faction has on record. taken = false: another holder has the lease (the
-- other fields are then null). The lease is the same row lease_take writes, renewed with lease_take.
--
-- It also leaves an intent marker (a bridge_leases row '<lease key>:intent' lasting a day, so the expired-
-- lease prune removes a forgotten one) that match_channel_record removes. maybe_orphan = the marker was
-- already there: an earlier attempt got this far and never recorded a channel (it died, failed or saw the
-- end), so it may have created one the caller's cache does not show; only then does the caller pay for
-- Discord's REST listing before it creates.
create function public.match_channel_begin(
  p_match_id text, p_faction text, p_lease_key text, p_holder text, p_ttl_seconds integer
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
             where a.match_id = p_match_id and a.faction = p_faction),
           v_fresh is null;
end
$$;

-- Records the faction's channel and answers whether the match has ended (true: the caller leaves the
-- channel to finishMatch). The finish-while-creating guarantee used to rest on two statements in
-- order (row committed, then the marker read); in one transaction the row is not visible to a
-- concurrent finish until commit, so the match_states row is locked first: match_end (which writes that
-- row) then either committed before (and is seen here) or waits for this commit (and its finishMatch,
-- which reads the rows after match_end, sees this row).
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
  on conflict (match_id, faction) do update
    set guild_id = excluded.guild_id, voice_channel_id = excluded.voice_channel_id;
  delete from public.bridge_leases where lease_key = p_lease_key || ':intent';
  return v_status = 'ended';
end
$$;

revoke execute on function
  public.match_channel_begin(text, text, text, text, integer),
  public.match_channel_record(text, text, text, text, text)
  from public, anon, authenticated;
grant execute on function
  public.match_channel_begin(text, text, text, text, integer),
  public.match_channel_record(text, text, text, text, text)
  to service_role;
