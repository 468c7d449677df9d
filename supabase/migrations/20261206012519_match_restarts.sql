-- The match lifecycle as FACEIT's own records show it (real webhook captures of championship matches):
-- - a match created days ahead (FACEIT: SCHEDULED) is not live: no channels, and no age limit, until
--   FACEIT configures it; the sweep's age limit counts from when it went live (`live_since`);
-- - a finished or forfeited match can be restarted by FACEIT (`match_status_configuring` again): the match
--   is re-opened, never by a late redelivery of an event from before its end, so the end remembers the
--   event that ended it (FACEIT's per-match version and time) and the job that acted on it.
-- Expand only: match_touch, match_end and match_list_active keep their signatures and meaning.
alter table public.match_states
  add column live_since       timestamptz,
  add column ended_event_at   timestamptz,
  add column ended_version    integer,
  add column ended_job        text,
  add column reopened_at      timestamptz,
  add column reopened_version integer,
  add column reopens          integer not null default 0;

-- Matches active before this migration were built for at their first event: live since then.
update public.match_states set live_since = created_at where status = 'active';

-- What the lifecycle decisions read of a match, null when the bridge never heard of it. A match built by
-- a worker that does not mark `live_since` (the previous release, during a rolling upgrade) counts as
-- live since its first channel row.
create function public.match_state_of(p_match_id text)
returns jsonb language sql stable set search_path = '' as $$
  select jsonb_build_object(
    'status', s.status,
    'live_since', coalesce(s.live_since,
      (select min(a.created_at) from public.active_matches a where a.match_id = s.match_id)),
    'ended_at', case when s.status = 'ended' then coalesce(s.ended_event_at, s.ended_at) end,
    'ended_version', case when s.status = 'ended' then s.ended_version end,
    'reopened_at', s.reopened_at,
    'reopened_version', s.reopened_version,
    'reopens', s.reopens)
    from public.match_states s
   where s.match_id = p_match_id;
$$;

-- match_touch, answering the whole state (one round trip, as before).
create function public.match_touch_state(p_match_id text, p_event text, p_version integer)
returns jsonb language plpgsql set search_path = '' as $$
begin
  perform public.match_touch(p_match_id, p_event, p_version);
  return public.match_state_of(p_match_id);
end
$$;

-- The bridge builds channels for the match from now on (FACEIT configures it): the age limit starts.
create function public.match_mark_live(p_match_id text)
returns void language sql set search_path = '' as $$
  update public.match_states
     set live_since = coalesce(live_since, now())
   where match_id = p_match_id and status = 'active' and live_since is null;
$$;

-- match_end plus the event that ended it: FACEIT's time and version of that event (the sweep passes its
-- own time and no version) and the job that acted on it. An end of a match already ended keeps the first.
create function public.match_end_event(
  p_match_id text, p_reason text, p_event_at timestamptz, p_version integer, p_job text
)
returns void language sql set search_path = '' as $$
  insert into public.match_states as s
    (match_id, status, ended_reason, ended_at, last_event, ended_event_at, ended_version, ended_job)
  values (p_match_id, 'ended', p_reason, now(), p_reason, p_event_at, p_version, p_job)
  on conflict (match_id) do update
    set status = 'ended',
        ended_reason = case when s.status = 'ended' then coalesce(s.ended_reason, excluded.ended_reason)
                            else excluded.ended_reason end,
        ended_at = case when s.status = 'ended' then coalesce(s.ended_at, excluded.ended_at)
                        else excluded.ended_at end,
        ended_event_at = case when s.status = 'ended' then s.ended_event_at else excluded.ended_event_at end,
        ended_version = case when s.status = 'ended' then s.ended_version else excluded.ended_version end,
        ended_job = case when s.status = 'ended' then s.ended_job else excluded.ended_job end;
$$;

-- FACEIT restarted an ended match: active again, as a new cycle (its age limit starts when it goes live
-- again, its players may be moved again). Only for an event newer than the end (FACEIT's version when both
-- have one, else the times, the same second counting as newer; the domain's `happenedAfter`), and only once
-- the previous cycle's clean-up is done (no channel rows left: a restart racing the clean-up is retried).
-- Answers `reopened` (with the job that had ended it, and the new cycle number), `active` (already
-- re-opened), `stale`, `busy` or `missing`.
create function public.match_reopen(p_match_id text, p_event_at timestamptz, p_version integer)
returns jsonb language plpgsql set search_path = '' as $$
declare
  v public.match_states%rowtype;
begin
  select * into v from public.match_states where match_id = p_match_id for update;
  if not found then return jsonb_build_object('result', 'missing'); end if;
  if v.status = 'active' then return jsonb_build_object('result', 'active', 'reopens', v.reopens); end if;
  if not (case when p_version is not null and v.ended_version is not null then p_version > v.ended_version
               else p_event_at >= coalesce(v.ended_event_at, v.ended_at) end) then
    return jsonb_build_object('result', 'stale');
  end if;
  if exists (select 1 from public.active_matches a where a.match_id = p_match_id) then
    return jsonb_build_object('result', 'busy');
  end if;
  update public.match_states
     set status = 'active', ended_reason = null, ended_at = null, ended_event_at = null,
         ended_version = null, ended_job = null, live_since = null, missing_since = null,
         missing_sweeps = 0, reopened_at = p_event_at, reopened_version = p_version,
         reopens = v.reopens + 1, last_event = 'reopened'
   where match_id = p_match_id;
  delete from public.match_moves where match_id = p_match_id;
  return jsonb_build_object('result', 'reopened', 'ended_job', v.ended_job, 'reopens', v.reopens + 1);
end
$$;

-- The sweep's list: matches not ended, with when they went live (null: never, e.g. scheduled).
create function public.match_list_live()
returns table (match_id text, created_at timestamptz, live_since timestamptz)
language sql stable set search_path = '' as $$
  select s.match_id, s.created_at,
         coalesce(s.live_since,
           (select min(a.created_at) from public.active_matches a where a.match_id = s.match_id))
    from public.match_states s
   where s.status = 'active';
$$;

revoke execute on function
  public.match_state_of(text), public.match_touch_state(text, text, integer), public.match_mark_live(text),
  public.match_end_event(text, text, timestamptz, integer, text),
  public.match_reopen(text, timestamptz, integer), public.match_list_live()
  from public, anon, authenticated;
grant execute on function
  public.match_state_of(text), public.match_touch_state(text, text, integer), public.match_mark_live(text),
  public.match_end_event(text, text, timestamptz, integer, text),
  public.match_reopen(text, timestamptz, integer), public.match_list_live()
  to service_role;
