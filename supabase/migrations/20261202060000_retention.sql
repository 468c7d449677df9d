-- Retention: nothing the bridge writes about a match is kept forever. The maintenance sweep calls
-- match_prune to forget ended matches older than MATCH_RETENTION_DAYS and every expired lease.
-- Also the index for the status = 'active' reads (the sweep's match_list_active).

-- Index-only scan for match_list_active (match_id, created_at of the matches not ended yet).
create index match_states_active_idx on public.match_states (created_at, match_id) where status = 'active';

-- Forgets up to p_limit ended matches whose end is older than p_older_than_days: their match_states row
-- (the ended tombstone), rosters and move claims, deleted by match so any columns those tables gain
-- later are covered. A match that still has active_matches rows keeps everything: its channels are not
-- cleaned up yet, and the tombstone is what stops a late event from building them again. Also deletes
-- expired leases (lease_take would overwrite them anyway). Answers how many rows of each went.
create function public.match_prune(p_older_than_days integer, p_limit integer)
returns jsonb language plpgsql set search_path = '' as $$
declare
  v_matches text[];
  v_rosters integer;
  v_moves integer;
  v_leases integer;
begin
  if p_older_than_days is null or p_older_than_days < 1 then
    raise exception 'match_prune: p_older_than_days must be at least 1, got %', p_older_than_days
      using errcode = '22023';
  end if;
  if p_limit is null or p_limit < 1 then
    raise exception 'match_prune: p_limit must be at least 1, got %', p_limit using errcode = '22023';
  end if;

  with gone as (
    delete from public.match_states s
     where s.match_id in (
       select o.match_id
         from public.match_states o
        where o.status = 'ended'
          and o.ended_at < now() - make_interval(days => p_older_than_days)
          and not exists (select 1 from public.active_matches a where a.match_id = o.match_id)
        order by o.ended_at
        limit p_limit
        for update skip locked)
    returning s.match_id
  )
  select coalesce(array_agg(match_id), '{}') into v_matches from gone;

  delete from public.match_rosters where match_id = any (v_matches);
  get diagnostics v_rosters = row_count;
  delete from public.match_moves where match_id = any (v_matches);
  get diagnostics v_moves = row_count;
  delete from public.bridge_leases where expires_at < now();
  get diagnostics v_leases = row_count;

  return jsonb_build_object(
    'matches', cardinality(v_matches), 'rosters', v_rosters, 'moves', v_moves, 'leases', v_leases);
end
$$;

revoke execute on function public.match_prune(integer, integer) from public, anon, authenticated;
grant execute on function public.match_prune(integer, integer) to service_role;
