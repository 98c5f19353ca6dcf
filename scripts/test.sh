#!/usr/bin/env bash
# Every test of wacrm: Rust (fmt, clippy, unit, integration, e2e against the sandbox),
# PostgreSQL and Redis adapter suites when a server is reachable (local ones are started
# when the binaries are installed), and the binding suites (Python, Node, Swift-FFI) as
# they exist. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
STATE_DIR=${WACRM_TEST_STATE:-$ROOT/target/test-services}
mkdir -p "$STATE_DIR"

section() { printf '\n==> %s  [disk free: %s]\n' "$*" "$(df -h . | awk 'NR==2{print $4}')"; }
skipped=()

# ---------- services: PostgreSQL and Redis ----------
pg_ok() { "$1/psql" -h 127.0.0.1 -p "$2" -U wacrm -d postgres -tAc 'SELECT 1' >/dev/null 2>&1; }
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start_postgres() {
  if [ -n "${WACRM_TEST_POSTGRES_URL:-}" ]; then return 0; fi
  local bindir
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
    skipped+=("skipped: no PostgreSQL (install postgresql or set WACRM_TEST_POSTGRES_URL)")
    return 0
  fi
  local port=${WACRM_TEST_PG_PORT:-55432}
  # Reuse a server this script started earlier; otherwise find a free port.
  while ! pg_ok "$bindir" "$port" && port_busy "$port"; do port=$((port + 1)); done
  if ! pg_ok "$bindir" "$port"; then
    local data runas=()
    if [ "$(id -u)" = 0 ]; then
      # PostgreSQL refuses to run as root: run it as its system user, in a directory that
      # user can reach whatever the checkout's permissions are.
      id postgres >/dev/null 2>&1 || useradd -r -m postgres
      data=$(mktemp -d /tmp/wacrm-test-pg.XXXXXX)
      chown postgres "$data"
      runas=(runuser -u postgres --)
    else
      data=$(mktemp -d "$STATE_DIR/pg.XXXXXX")
    fi
    "${runas[@]}" "$bindir/initdb" -D "$data/db" -U wacrm --auth=trust >/dev/null
    "${runas[@]}" "$bindir/pg_ctl" -D "$data/db" -l "$data/log" -w \
      -o "-p $port -k $data -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null
  fi
  "$bindir/psql" -h 127.0.0.1 -p "$port" -U wacrm -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname='wacrm_test'" | grep -q 1 ||
    "$bindir/psql" -h 127.0.0.1 -p "$port" -U wacrm -d postgres -c "CREATE DATABASE wacrm_test" >/dev/null
  export WACRM_TEST_POSTGRES_URL="postgres://wacrm@127.0.0.1:$port/wacrm_test"
  echo "PostgreSQL: $WACRM_TEST_POSTGRES_URL"
}

start_redis() {
  if [ -n "${WACRM_TEST_REDIS_URL:-}" ]; then return 0; fi
  if ! command -v redis-server >/dev/null 2>&1; then
    skipped+=("skipped: no Redis (install redis-server or set WACRM_TEST_REDIS_URL)")
    return 0
  fi
  local port=${WACRM_TEST_REDIS_PORT:-56379}
  if ! redis-cli -p "$port" ping >/dev/null 2>&1; then
    while port_busy "$port"; do port=$((port + 1)); done
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
      --dir "$STATE_DIR" --logfile "$STATE_DIR/redis.log" >/dev/null
    for _ in $(seq 1 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  fi
  export WACRM_TEST_REDIS_URL="redis://127.0.0.1:$port/"
  echo "Redis: $WACRM_TEST_REDIS_URL"
}

section "services"
start_postgres
start_redis

# ---------- Rust ----------
section "cargo fmt --check"
cargo fmt --all --check

section "cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

section "cargo test (default members)"
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --locked --no-fail-fast
  cargo test --locked --doc -p wacrm
else
  cargo test --locked --no-fail-fast
fi

if [ "${WACRM_TEST_PRUNE:-0}" = 1 ]; then
  # The binding builds below need none of the test and example executables just run.
  tdir=${CARGO_TARGET_DIR:-$ROOT/target}/debug
  find "$tdir/deps" -maxdepth 1 -type f -perm -u+x ! -name '*.so' -delete 2>/dev/null || true
  rm -rf "$tdir/examples"
fi

# ---------- bindings (each block runs once its suite exists) ----------
for hook in scripts/test.d/*.sh; do
  [ -e "$hook" ] || continue
  section "$hook"
  bash "$hook"
done

section "summary"
for s in "${skipped[@]+"${skipped[@]}"}"; do echo "$s"; done
echo "all test suites passed"
