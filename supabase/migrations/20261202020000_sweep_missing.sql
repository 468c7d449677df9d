-- A Data API 404 is not proof that a match does not exist (new matches have been reported to 404 for
-- a while): the sweep ends a match as unknown only after 404s on consecutive sweeps spanning at least
-- 30 minutes. This keeps the streak per match; any sweep that reads the match clears it.
alter table public.match_states
  add column missing_since  timestamptz,
  add column missing_sweeps integer not null default 0;

-- One more sweep got a 404 for this match: answers the streak (this sweep included), timed by the
-- database's clock so every worker copy measures the same span.
create function public.match_note_missing(p_match_id text)
returns table (sweeps integer, missing_ms bigint)
language sql set search_path = '' as $$
  update public.match_states
     set missing_since = coalesce(missing_since, now()),
         missing_sweeps = missing_sweeps + 1
   where match_id = p_match_id
  returning missing_sweeps, (extract(epoch from now() - missing_since) * 1000)::bigint;
$$;

-- FACEIT showed the match again: the streak is over.
create function public.match_clear_missing(p_match_id text)
returns void language sql set search_path = '' as $$
  update public.match_states
     set missing_since = null, missing_sweeps = 0
   where match_id = p_match_id and missing_since is not null;
$$;

revoke execute on function public.match_note_missing(text), public.match_clear_missing(text)
  from public, anon, authenticated;
grant execute on function public.match_note_missing(text), public.match_clear_missing(text)
  to service_role;
