-- The roles a Supabase database has before any migration runs (supabase/postgres initial schema),
-- reduced to what PostgREST needs. Roles are cluster-wide, so this is idempotent and safe to run
-- from concurrent test runs (the caller holds an advisory lock). No default grants: since 2026
-- Supabase no longer exposes new tables automatically, and migrations must grant explicitly.
do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticator') then
    create role authenticator login noinherit;
  end if;
end
$$;
grant anon, authenticated, service_role to authenticator;
