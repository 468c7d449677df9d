#!/bin/sh
# Applies supabase/migrations/*.sql in order, once each, recording them where the Supabase CLI does
# (supabase_migrations.schema_migrations), so `supabase db push` later sees them as applied.
set -eu
: "${DATABASE_URL:?DATABASE_URL must be set}"
psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -q <<'SQL'
create schema if not exists supabase_migrations;
create table if not exists supabase_migrations.schema_migrations (version text primary key, name text, statements text[]);
SQL
for file in "${MIGRATIONS_DIR:-/migrations}"/*.sql; do
  base=$(basename "$file" .sql)
  version=${base%%_*}
  name=${base#*_}
  applied=$(psql "$DATABASE_URL" -tA -c "select 1 from supabase_migrations.schema_migrations where version = '$version'")
  if [ "$applied" = "1" ]; then
    echo "migrate: $base already applied"
    continue
  fi
  echo "migrate: applying $base"
  psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -q -1 -f "$file" \
    -c "insert into supabase_migrations.schema_migrations (version, name) values ('$version', '$name')"
done
psql "$DATABASE_URL" -q -c "notify pgrst, 'reload schema'"
echo "migrate: done"
