#!/usr/bin/env bash
# The whole test suite, as `npm test` runs it: Debian test dependencies, typecheck, lint, unit tests,
# then integration tests against real servers on loopback. Every step runs even after an earlier one
# failed, so one run shows everything that is broken; the exit code is non-zero if any step failed.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
repo_root="$(pwd)"
# `bash scripts/test.sh --int 'test/integration/sync-*.int.test.ts' …` runs only those integration
# files (with the run's PostgreSQL and state dir), for quick checks while working on one part.
only_int=()
if [ "${1:-}" = "--int" ]; then
  shift
  only_int=("$@")
fi
started_at=$SECONDS

# npm scripts already resolve `node` to node_modules/.bin/node (Node 22, from the `node` package);
# by hand the `node` on PATH may be older, and type stripping needs Node 22.
PATH="$(npm root 2>/dev/null || echo "$repo_root/node_modules")/.bin:$PATH"
export PATH
node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$node_major" -lt 22 ]; then
  echo "test.sh: Node 22 needed, found $(node --version 2>/dev/null || echo none); run 'npm install' first" >&2
  exit 1
fi

results=()
failed=()
run_step() {
  local name="$1"
  shift
  local step_start=$SECONDS
  echo
  echo "==> $name: $*"
  if "$@"; then
    results+=("$name ok $((SECONDS - step_start))s")
  else
    results+=("$name FAILED $((SECONDS - step_start))s")
    failed+=("$name")
  fi
}

summary() {
  local status=PASSED
  [ "${#failed[@]}" -gt 0 ] && status="FAILED (${failed[*]})"
  echo
  echo "==> test.sh: $status in $((SECONDS - started_at))s — $(IFS=,; echo "${results[*]}" | sed 's/,/, /g')"
}

# --- Debian packages (servers the integration tests start) ---------------------------------------
if ! bash scripts/install-test-deps.sh; then
  results+=("deps FAILED")
  failed+=(deps)
  summary
  exit 1
fi
results+=("deps ok")

if [ "${#only_int[@]}" -eq 0 ]; then
  run_step typecheck tsc --noEmit
  run_step lint eslint .
  run_step unit node --test --test-reporter=spec --test-timeout=120000 'src/**/*.test.ts'
fi

# --- One PostgreSQL 15 for the whole integration run ----------------------------------------------
# Each test file creates its own database on it (test/helpers/postgres.ts), which is much cheaper
# than a server per file.
pg_bin="${CUTOVER_PG_BIN:-/usr/lib/postgresql/15/bin}"
state_root="$repo_root/.test-state"
run_dir="$state_root/run-$$"
pg_dir="$run_dir/pg"
pg_started=0

as_postgres() {
  # PostgreSQL refuses to run as root.
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cleanup() {
  if [ "$pg_started" -eq 1 ]; then
    (cd "$pg_dir" && as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast -w stop >/dev/null 2>&1) || true
    pg_started=0
  fi
  # Dovecot instances of test processes that died without cleaning up (SIGKILL, crash): only those
  # below this run's own state dir, and only if the pid still runs that instance's config.
  local pidfile pid instance_dir
  for pidfile in "$run_dir"/dovecot-*/run/master.pid; do
    [ -f "$pidfile" ] || continue
    pid="$(cat "$pidfile" 2>/dev/null)"
    instance_dir="$(dirname "$(dirname "$pidfile")")"
    if [ -n "$pid" ] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$instance_dir/dovecot.conf"; then
      echo "test.sh: stopping leftover Dovecot $pid ($instance_dir)"
      kill -TERM "$pid" 2>/dev/null || true
    fi
  done
  # Each instance's base_dir is a short dir in /tmp (unix socket paths are limited to 108 bytes),
  # linked from its state dir as run/: remove those of this run's instances.
  local link target
  for link in "$run_dir"/dovecot-*/run; do
    [ -L "$link" ] || continue
    target="$(readlink "$link")"
    case "$target" in /tmp/cutover-dovecot-*) rm -rf "$target" ;; esac
  done
  if [ "${CUTOVER_KEEP_TEST_STATE:-0}" != 1 ]; then rm -rf "$run_dir"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start_postgres() {
  mkdir -p "$pg_dir" || return 1
  # The postgres user (and Dovecot's unprivileged processes) must be able to enter these dirs.
  chmod 0755 "$state_root" "$run_dir" "$pg_dir" || return 1
  local password port
  password="$(node -p 'require("node:crypto").randomBytes(12).toString("hex")')" || return 1
  port="$(node -e 'const s=require("node:net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')" || return 1
  printf '%s\n' "$password" >"$pg_dir/pwfile"
  chmod 0600 "$pg_dir/pwfile"
  if [ "$(id -u)" -eq 0 ]; then chown -R postgres:postgres "$pg_dir" || return 1; fi
  (cd "$pg_dir" && as_postgres "$pg_bin/initdb" -D "$pg_dir/data" -U postgres --pwfile "$pg_dir/pwfile" \
    -A scram-sha-256 --auth-local=trust -N -E UTF8 --locale=C >"$pg_dir/initdb.log" 2>&1) || {
    cat "$pg_dir/initdb.log" >&2
    return 1
  }
  # Durability is pointless for throw-away test data.
  (cd "$pg_dir" && as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/postgres.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories= -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
    start >/dev/null) || {
    cat "$pg_dir/postgres.log" >&2
    return 1
  }
  pg_started=1
  export TEST_DATABASE_URL="postgres://postgres:$password@127.0.0.1:$port/postgres"
  # Test helpers put Dovecot state dirs here, so cleanup() can find leftovers of this run only.
  export CUTOVER_TEST_STATE="$run_dir"
  echo "PostgreSQL 15 on 127.0.0.1:$port (state $pg_dir)"
}

# The CLI the integration and e2e tests start runs from the JavaScript build when it is current
# (bin/cutover.js): build it, so the tests run what `npm start` runs.
run_step build npm run --silent build
run_step postgres start_postgres
if [ "$pg_started" -eq 1 ] && [ "${#only_int[@]}" -gt 0 ]; then
  run_step integration node --test --test-reporter=spec --test-concurrency=2 --test-timeout=300000 "${only_int[@]}"
elif [ "$pg_started" -eq 1 ]; then
  run_step integration node --test --test-reporter=spec --test-concurrency=2 --test-timeout=300000 'test/integration/**/*.int.test.ts'
  run_step e2e bash -c 'npm run --silent build:web && node --test --test-reporter=spec --test-timeout=600000 test/e2e/*.e2e.test.ts'
else
  results+=("integration SKIPPED (no PostgreSQL)")
fi

summary
[ "${#failed[@]}" -eq 0 ]
