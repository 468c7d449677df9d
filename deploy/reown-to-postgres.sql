-- Once, for a database that docker compose migrated before 1.0.0 (as supabase_admin): hands the bridge's
-- tables, functions and migration records to postgres, the role compose's `migrate` service and
-- `supabase db push` use now, so later migrations may alter them. Only the bridge's objects move (public and
-- supabase_migrations); Supabase's own stay with supabase_admin. Run as supabase_admin:
--   docker compose exec -T db psql -U supabase_admin -d postgres -v ON_ERROR_STOP=1 -f - < deploy/reown-to-postgres.sql
-- (`-v owner=<role>` names another owner.) Running it twice changes nothing.
\if :{?owner}
\else
\set owner postgres
\endif
select set_config('bridge.owner', :'owner', false);
do $$
declare
  target text := current_setting('bridge.owner');
  r record;
begin
  for r in select schemaname, tablename from pg_tables
            where schemaname in ('public', 'supabase_migrations') and tableowner <> target loop
    execute format('alter table %I.%I owner to %I', r.schemaname, r.tablename, target);
  end loop;
  for r in select p.oid::regprocedure as fn from pg_proc p join pg_namespace n on n.oid = p.pronamespace
            where n.nspname = 'public' and pg_get_userbyid(p.proowner) <> target loop
    execute format('alter function %s owner to %I', r.fn, target);
  end loop;
  if exists (select 1 from pg_namespace where nspname = 'supabase_migrations') then
    execute format('alter schema supabase_migrations owner to %I', target);
  end if;
end
$$;
