-- The guilds a sweep looks at every time: those where the bridge owns something, i.e. channel rows of a match
-- (active, or ended with a clean-up cut short), or an intent marker of a channel create that may not have been
-- recorded (lease key 'vc-<match>-<guild>-<faction>:intent', see 20261202080000). Every other guild with
-- settings is looked at by the sweep's slow pass (a page at a time, guild_id order), not here.
create function public.guild_sweep_targets()
returns setof public.guild_settings
language sql stable set search_path = '' as $$
  with owned as (
    select guild_id from public.active_matches
    union
    select substring(lease_key from '-(\d{17,20})-faction[12]:intent$')
      from public.bridge_leases
     where lease_key like 'vc-%:intent'
  )
  select s.* from public.guild_settings s join owned o on o.guild_id = s.guild_id
   order by s.guild_id;
$$;

revoke execute on function public.guild_sweep_targets() from public, anon, authenticated;
grant execute on function public.guild_sweep_targets() to service_role;
