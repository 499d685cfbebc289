# Shared by the dev scripts: find or start PostgreSQL, make sure tools are installed.
# Sourced, not run. Sets DATABASE_URL to a server URL (database "postgres") that answers.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="$ROOT/.lana"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
PRIVATE_PG_PORT="${PRIVATE_PG_PORT:-5433}"
DEFAULT_DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres"

log() { printf '\033[1m[lana]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[lana] %s\033[0m\n' "$*" >&2; exit 1; }

pg_answers() { psql "$1" -XqAtc 'SELECT 1' >/dev/null 2>&1; }

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

ensure_apt_packages() {
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || die "missing packages ${missing[*]} and no apt-get to install them"
  log "installing ${missing[*]}"
  local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# The PostgreSQL at DATABASE_URL (or the local default) when it answers; otherwise a private cluster
# under .lana/pg started from the installed binaries. Tuned for tests when FAST_PG=1 (no fsync).
ensure_postgres() {
  ensure_apt_packages postgresql-client-15 postgresql-15
  local url="${DATABASE_URL:-$DEFAULT_DATABASE_URL}"
  if pg_answers "$url"; then
    export DATABASE_URL="$url"
    log "using PostgreSQL at ${url}"
    return 0
  fi
  [ -n "${DATABASE_URL:-}" ] && log "DATABASE_URL=${DATABASE_URL} does not answer; starting a private cluster"
  local data="$STATE/pg/data" sock="$STATE/pg/sock"
  mkdir -p "$STATE/pg" "$sock"
  if [ ! -f "$data/PG_VERSION" ]; then
    log "initializing a private PostgreSQL cluster in $data"
    [ "$(id -u)" = 0 ] && chown -R postgres: "$STATE/pg"
    as_postgres "$PG_BIN/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  [ "$(id -u)" = 0 ] && chown -R postgres: "$STATE/pg"
  local settings="-c listen_addresses=127.0.0.1 -c port=$PRIVATE_PG_PORT -c unix_socket_directories=$sock -c max_connections=300"
  if [ "${FAST_PG:-0}" = 1 ]; then
    settings="$settings -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  fi
  if ! as_postgres "$PG_BIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    as_postgres "$PG_BIN/pg_ctl" -D "$data" -l "$STATE/pg/postgres.log" -o "$settings" -w start >/dev/null \
      || die "PostgreSQL did not start; see $STATE/pg/postgres.log"
  fi
  export DATABASE_URL="postgres://postgres@127.0.0.1:$PRIVATE_PG_PORT/postgres"
  pg_answers "$DATABASE_URL" || die "the private cluster at $DATABASE_URL does not answer"
  log "using the private PostgreSQL at $DATABASE_URL (stop: $PG_BIN/pg_ctl -D $data stop)"
}

# DATABASE_URL with another database name.
database_url() {
  local base="${DATABASE_URL%%\?*}" query=""
  [[ "$DATABASE_URL" == *\?* ]] && query="?${DATABASE_URL#*\?}"
  local scheme="${base%%://*}://" rest="${base#*://}"
  echo "${scheme}${rest%%/*}/$1${query}"
}

recreate_database() {
  psql "$DATABASE_URL" -XqAtc "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" >/dev/null
  psql "$DATABASE_URL" -XqAtc "CREATE DATABASE \"$1\"" >/dev/null
}

ensure_database() {
  local exists
  exists="$(psql "$DATABASE_URL" -XqAtc "SELECT 1 FROM pg_database WHERE datname = '$1'")"
  [ "$exists" = 1 ] || psql "$DATABASE_URL" -XqAtc "CREATE DATABASE \"$1\"" >/dev/null
}

ensure_rust() {
  command -v cargo >/dev/null || die "cargo is not installed (install Rust with rustup first)"
}

ensure_cargo_tool() { # binary crate version [cargo install flags...]
  local bin="$1" crate="$2" version="$3"; shift 3
  if command -v "$bin" >/dev/null && "$bin" --version 2>/dev/null | grep -q "$version"; then return 0; fi
  log "installing $crate $version"
  cargo install --locked --quiet "$crate@$version" "$@"
}

ensure_sqlx_cli() {
  ensure_cargo_tool sqlx sqlx-cli 0.8.6 --no-default-features --features rustls,postgres
}

OIDC_PORT="${OIDC_PORT:-8081}"
FAKE_EXCHANGE_PORT="${FAKE_EXCHANGE_PORT:-5256}"
FAKE_CUSTODIANS_PORT="${FAKE_CUSTODIANS_PORT:-5257}"
# Next.js would otherwise report usage over the network.
export NEXT_TELEMETRY_DISABLED=1

ensure_node() {
  command -v node >/dev/null || ensure_apt_packages nodejs npm
  command -v npm >/dev/null || ensure_apt_packages npm
  command -v curl >/dev/null || ensure_apt_packages curl
}

# Installs the development OIDC provider's packages (exact versions from package-lock.json).
ensure_oidc_packages() {
  ensure_node
  if [ ! -d "$ROOT/dev/oidc/node_modules/oidc-provider" ] \
     || [ "$ROOT/dev/oidc/package-lock.json" -nt "$ROOT/dev/oidc/node_modules/.package-lock.json" ]; then
    log "installing the development OIDC provider (npm ci)"
    npm ci --prefix "$ROOT/dev/oidc" --no-audit --no-fund --loglevel=error >/dev/null
  fi
}

# The development OIDC provider on 127.0.0.1:$OIDC_PORT: reuses one that answers with this
# version of dev/oidc/server.mjs (restarts the one we started if it runs an older one), else starts
# one in the background with its keys in .lana/oidc.
ensure_oidc() {
  ensure_oidc_packages
  local health source
  health="$(curl -fsS "http://127.0.0.1:$OIDC_PORT/health" 2>/dev/null)" || health=""
  if [ -n "$health" ]; then
    source="$(sha256sum "$ROOT/dev/oidc/server.mjs" | cut -d' ' -f1)"
    if [[ "$health" == *"$source"* ]]; then
      log "using the OIDC provider at http://127.0.0.1:$OIDC_PORT"
      return 0
    fi
    if [ -f "$STATE/oidc.pid" ] && kill "$(cat "$STATE/oidc.pid")" 2>/dev/null; then
      log "restarting the OIDC provider (dev/oidc/server.mjs changed)"
      for _ in $(seq 1 50); do curl -fsS "http://127.0.0.1:$OIDC_PORT/health" >/dev/null 2>&1 || break; sleep 0.1; done
    else
      log "the OIDC provider at http://127.0.0.1:$OIDC_PORT runs another version of dev/oidc/server.mjs; restart it for the web apps' login"
      return 0
    fi
  fi
  mkdir -p "$STATE/oidc"
  OIDC_PORT="$OIDC_PORT" OIDC_STATE_DIR="$STATE/oidc" \
    nohup node "$ROOT/dev/oidc/server.mjs" >"$STATE/oidc.log" 2>&1 &
  echo $! >"$STATE/oidc.pid"
  await_started "the OIDC provider" "http://127.0.0.1:$OIDC_PORT/health" oidc
}

# Waits up to 10 s for URL $2 to answer, for the service named $1 whose log is .lana/$3.log.
await_started() {
  for _ in $(seq 1 50); do
    curl -fsS "$2" >/dev/null 2>&1 && {
      log "started $1 at $2 (log: $STATE/$3.log)"
      return 0
    }
    sleep 0.2
  done
  die "$1 did not start; see $STATE/$3.log"
}

# The fake exchange (the BTC/USD ticker the bank asks; see lib/bitfinex) on
# 127.0.0.1:$FAKE_EXCHANGE_PORT: reuses one that answers, else builds and starts one in the
# background.
ensure_fake_exchange() {
  local url="http://127.0.0.1:$FAKE_EXCHANGE_PORT"
  if [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/v2/ticker/tBTCUSD" 2>/dev/null)" != "000" ]; then
    log "using the fake exchange at $url"
    return 0
  fi
  cargo build --quiet -p bitfinex --features fake --bin fake-exchange
  mkdir -p "$STATE"
  nohup "$ROOT/target/debug/fake-exchange" "$FAKE_EXCHANGE_PORT" >"$STATE/fake-exchange.log" 2>&1 &
  echo $! >"$STATE/fake-exchange.pid"
  await_started "the fake exchange" "$url/v2/ticker/tBTCUSD" fake-exchange
}

# The fake custodians (a BitGo-style and a Komainu-style custodian and an Esplora-style block
# explorer; see lib/custodians) on 127.0.0.1:$FAKE_CUSTODIANS_PORT: reuses one that answers,
# else builds and starts one in the background.
ensure_fake_custodians() {
  local url="http://127.0.0.1:$FAKE_CUSTODIANS_PORT"
  if [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/address/probe" 2>/dev/null)" != "000" ]; then
    log "using the fake custodians at $url"
    return 0
  fi
  cargo build --quiet -p custodians --features fake --bin fake-custodians
  mkdir -p "$STATE"
  nohup "$ROOT/target/debug/fake-custodians" "$FAKE_CUSTODIANS_PORT" >"$STATE/fake-custodians.log" 2>&1 &
  echo $! >"$STATE/fake-custodians.pid"
  await_started "the fake custodians" "$url/address/probe" fake-custodians
}

# Installs the web apps' packages (apps/, one npm workspace) from the committed lock file.
ensure_apps_packages() {
  ensure_node
  if [ ! -d "$ROOT/apps/node_modules/next" ] \
     || [ "$ROOT/apps/package-lock.json" -nt "$ROOT/apps/node_modules/.package-lock.json" ]; then
    log "installing the web apps' packages (npm ci)"
    (cd "$ROOT/apps" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
}

# Debian's Chromium, which the browser tests drive (Playwright's own browser download is not used).
ensure_chromium() {
  ensure_apt_packages chromium
}
