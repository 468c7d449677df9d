#!/usr/bin/env bash
# `./run test`: typecheck + lint (`pnpm run check`) and every test (`vitest run`, arguments passed on).
# The check runs beside the tests rather than before them: tsc is one single-threaded process, and the
# tests' first minute (stacks starting, much of it waiting) leaves the second core room for it. Its
# output is printed in one block when it ends; the run fails if either fails.
set -uo pipefail
cd "$(dirname "$0")/.."
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
(
  pnpm run --silent check >"$log" 2>&1
  rc=$?
  cat "$log"
  if [ "$rc" = 0 ]; then echo "check (typecheck + lint): passed"; else echo "check (typecheck + lint): FAILED"; fi
  exit "$rc"
) &
check=$!
vitest run "$@"
tests=$?
wait "$check"
checked=$?
# A failed check is named again at the end (its output may be far above, among the tests').
if [ "$checked" != 0 ]; then echo "check (typecheck + lint): FAILED (its output above)"; fi
[ "$tests" = 0 ] && [ "$checked" = 0 ]
