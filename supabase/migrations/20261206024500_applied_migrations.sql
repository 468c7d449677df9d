-- The migrations this database has applied, for the workers' start-up check: a worker takes no job while a
-- migration it ships with is missing (its /healthz and `./run preflight` name which). Read from where
-- `supabase db push` and deploy/migrate.sh record them; security definer because only the migration owner
-- may read that schema. plpgsql, not sql: the body is not resolved at creation, so this migration applies
-- where nothing recorded a migration yet (the answer is then empty).
create function public.applied_migrations()
returns text[] language plpgsql stable security definer set search_path = '' as $$
declare v text[];
begin
  select coalesce(array_agg(m.version order by m.version), '{}') into v from supabase_migrations.schema_migrations m;
  return v;
exception when undefined_table or invalid_schema_name then
  return '{}';
end;
$$;
revoke execute on function public.applied_migrations() from public, anon, authenticated;
grant execute on function public.applied_migrations() to service_role;
