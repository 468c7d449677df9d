-- Account linking decisions as single statements the worker calls through PostgREST (supabase.rpc),
-- so two concurrent links can never both win. A per-FACEIT-account advisory lock serialises them.

-- OAuth proves who owns the FACEIT account: it moves from any other Discord user to this one.
-- Returns the Discord user who held it before (null when nobody else did).
create function public.link_player_oauth(p_discord_id text, p_faceit_id text, p_nickname text)
returns text
language plpgsql
security invoker
set search_path = ''
as $$
declare
  previous text;
begin
  perform pg_advisory_xact_lock(hashtext('player_links:' || p_faceit_id));
  delete from public.player_links
   where faceit_id = p_faceit_id and discord_id <> p_discord_id
  returning discord_id into previous;
  insert into public.player_links (discord_id, faceit_id, faceit_nickname, verified_method)
  values (p_discord_id, p_faceit_id, p_nickname, 'oauth')
  on conflict (discord_id) do update
    set faceit_id = excluded.faceit_id,
        faceit_nickname = excluded.faceit_nickname,
        verified_method = 'oauth';
  return previous;
end;
$$;

-- A nickname claim proves nothing, so it never takes an account from anyone else.
-- Returns 'linked', 'taken_oauth' (another user verified it with OAuth) or 'taken_nickname'.
create function public.claim_player_nickname(p_discord_id text, p_faceit_id text, p_nickname text)
returns text
language plpgsql
security invoker
set search_path = ''
as $$
declare
  holder public.player_links;
begin
  perform pg_advisory_xact_lock(hashtext('player_links:' || p_faceit_id));
  select * into holder from public.player_links where faceit_id = p_faceit_id;
  if found and holder.discord_id <> p_discord_id then
    return case when holder.verified_method = 'oauth' then 'taken_oauth' else 'taken_nickname' end;
  end if;
  insert into public.player_links (discord_id, faceit_id, faceit_nickname, verified_method)
  values (p_discord_id, p_faceit_id, p_nickname, 'nickname')
  on conflict (discord_id) do update
    set faceit_id = excluded.faceit_id,
        faceit_nickname = excluded.faceit_nickname,
        -- Re-registering the account you already verified keeps the stronger proof.
        verified_method = case
          when public.player_links.faceit_id = excluded.faceit_id then public.player_links.verified_method
          else 'nickname'
        end;
  return 'linked';
end;
$$;

revoke execute on function public.link_player_oauth(text, text, text) from public, anon, authenticated;
revoke execute on function public.claim_player_nickname(text, text, text) from public, anon, authenticated;
grant execute on function public.link_player_oauth(text, text, text) to service_role;
grant execute on function public.claim_player_nickname(text, text, text) to service_role;
