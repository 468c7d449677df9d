-- Per-database part of Supabase's bootstrap: schema usage for the API roles, and the same
-- statement timeouts. Functions are not executable by everyone by default (Supabase guidance).
grant usage on schema public to anon, authenticated, service_role;
alter default privileges in schema public revoke execute on functions from public;
