#!/usr/bin/env bash
# The system tools the tests need, for development commands only (sourced by scripts/bootstrap.sh; a
# production command never runs this). As root on Debian they are installed with apt-get.
# BRIDGE_SKIP_CHROMIUM=1 / BRIDGE_SKIP_REDIS_SERVER=1 / BRIDGE_SKIP_PROMTOOL=1 skip one.

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
if [ -x "$TOOLS/promtool/promtool" ]; then export PATH="$TOOLS/promtool:$PATH"; fi
