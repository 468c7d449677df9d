-- Move claims become leases (issue 19). A claim used to be a tombstone written BEFORE the move: a
-- worker killed between the claim and the move left a claim nobody could take again, so that player
-- was never moved. Now a claim records who holds it and until when; a claim whose holder did not
-- finish within that bound is taken again, and it becomes final (moved_at set) only once the move
-- was made. Rows written before this migration were all final moves: they keep their moved_at.

alter table public.match_moves
  alter column moved_at drop not null,
  alter column moved_at drop default,
  add column holder text,
  add column expires_at timestamptz;

drop function public.match_claim_move(text, text);
drop function public.match_unclaim_move(text, text);

-- 'claimed': the caller holds the claim (taken, re-taken by the same holder, or taken over from a
-- holder whose claim expired) and makes the move; 'done': the move was made, nothing to do (a player
-- who walked out is not dragged back); 'held': another holder's claim is still running, ask again.
create function public.match_claim_move(
  p_match_id text, p_discord_id text, p_holder text default null, p_ttl_seconds integer default 30
)
returns text language plpgsql set search_path = '' as $$
declare
  v_holder text := coalesce(p_holder, md5(random()::text || clock_timestamp()::text));
  v_taken text;
  v_moved timestamptz;
begin
  insert into public.match_moves as m (match_id, discord_id, moved_at, holder, expires_at)
  values (p_match_id, p_discord_id, null, v_holder, now() + make_interval(secs => p_ttl_seconds))
  on conflict (match_id, discord_id) do update
    set holder = excluded.holder, expires_at = excluded.expires_at
    where m.moved_at is null and (m.holder = excluded.holder or m.expires_at < now())
  returning m.holder into v_taken;
  if v_taken is not null then
    return 'claimed';
  end if;
  select moved_at into v_moved
    from public.match_moves where match_id = p_match_id and discord_id = p_discord_id;
  return case when v_moved is not null then 'done' else 'held' end;
end
$$;

-- The move was made: the claim becomes final. False when the caller no longer holds it (it expired
-- and another holder took it, who makes the move itself).
create function public.match_confirm_move(p_match_id text, p_discord_id text, p_holder text)
returns boolean language plpgsql set search_path = '' as $$
declare v_n integer;
begin
  update public.match_moves
     set moved_at = now(), holder = null, expires_at = null
   where match_id = p_match_id and discord_id = p_discord_id and moved_at is null and holder = p_holder;
  get diagnostics v_n = row_count;
  return v_n = 1;
end
$$;

-- Gives a claim back (the move did not happen: not connected, refused, an error) so a later event or
-- connect may move the player. Never undoes a made move; with a holder, only that holder's claim.
create function public.match_unclaim_move(p_match_id text, p_discord_id text, p_holder text default null)
returns void language sql set search_path = '' as $$
  delete from public.match_moves
   where match_id = p_match_id and discord_id = p_discord_id and moved_at is null
     and (p_holder is null or holder = p_holder);
$$;

revoke execute on function
  public.match_claim_move(text, text, text, integer), public.match_confirm_move(text, text, text),
  public.match_unclaim_move(text, text, text)
  from public, anon, authenticated;
grant execute on function
  public.match_claim_move(text, text, text, integer), public.match_confirm_move(text, text, text),
  public.match_unclaim_move(text, text, text)
  to service_role;
