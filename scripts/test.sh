#!/usr/bin/env bash
# Runs the whole jiaxiao test suite against real services: MariaDB/MySQL,
# MinIO and Chromium. It starts or installs what is missing, checks that
# generated code and formatting are clean, runs go vet and go test -race,
# and stops what it started.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '==> %s\n' "$*" >&2; }

cache="${XDG_CACHE_HOME:-$HOME/.cache}/jiaxiao"
mkdir -p "$cache/bin"
started_pids=()
tmp_dirs=()
cleanup() {
  for pid in "${started_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${started_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  for d in "${tmp_dirs[@]}"; do rm -rf "$d"; done
}
trap cleanup EXIT

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# --- MariaDB / MySQL -------------------------------------------------------
mysql_dsn="${JIAXIAO_TEST_MYSQL_DSN:-root:@tcp(127.0.0.1:3306)/}"
mysql_up() { mysqladmin --protocol=tcp -h127.0.0.1 -P3306 -uroot ping >/dev/null 2>&1; }
if [ -z "${JIAXIAO_TEST_MYSQL_DSN:-}" ] && ! mysql_up; then
  log "starting MariaDB"
  as_root start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
  for _ in $(seq 1 60); do mysql_up && break; sleep 0.5; done
  mysql_up || { echo "MariaDB did not start" >&2; exit 1; }
fi
export JIAXIAO_TEST_MYSQL_DSN="$mysql_dsn"

# --- Redis (live-event broker) ----------------------------------------------
if [ -z "${JIAXIAO_TEST_REDIS_URL:-}" ] && ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  if ! command -v redis-server >/dev/null 2>&1; then
    log "installing Redis"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  fi
  log "starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  for _ in $(seq 1 40); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.25; done
  redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null || { echo "Redis did not start" >&2; exit 1; }
fi
export JIAXIAO_TEST_REDIS_URL="${JIAXIAO_TEST_REDIS_URL:-redis://127.0.0.1:6379/0}"

# --- MinIO -----------------------------------------------------------------
minio_version="v0.0.0-20260212201848-7aac2a2c5b7c"
minio_bin="$cache/bin/minio-$minio_version"
if [ ! -x "$minio_bin" ]; then
  log "building MinIO $minio_version once into $cache/bin (a few minutes)"
  GOBIN="$cache/bin/build" GOFLAGS=-buildvcs=false go install "github.com/minio/minio@$minio_version"
  mv "$cache/bin/build/minio" "$minio_bin"
fi
export JIAXIAO_TEST_MINIO_BIN="$minio_bin"
free_port() {
  local p
  for p in $(seq "$1" "$(($1 + 200))"); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  echo "no free port" >&2; exit 1
}
minio_port=$(free_port 19000)
minio_data=$(mktemp -d)
tmp_dirs+=("$minio_data")
export JIAXIAO_TEST_MINIO_ENDPOINT="127.0.0.1:$minio_port"
export JIAXIAO_TEST_MINIO_ACCESS_KEY="jiaxiao-test"
export JIAXIAO_TEST_MINIO_SECRET_KEY="jiaxiao-test-secret"
log "starting MinIO on $JIAXIAO_TEST_MINIO_ENDPOINT"
MINIO_ROOT_USER="$JIAXIAO_TEST_MINIO_ACCESS_KEY" MINIO_ROOT_PASSWORD="$JIAXIAO_TEST_MINIO_SECRET_KEY" MINIO_BROWSER=off \
  "$minio_bin" server --quiet --address "$JIAXIAO_TEST_MINIO_ENDPOINT" --console-address "127.0.0.1:$(free_port 19300)" "$minio_data" \
  >"$minio_data.log" 2>&1 &
started_pids+=($!)
for _ in $(seq 1 120); do
  curl -fsS "http://$JIAXIAO_TEST_MINIO_ENDPOINT/minio/health/ready" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fsS "http://$JIAXIAO_TEST_MINIO_ENDPOINT/minio/health/ready" >/dev/null || { cat "$minio_data.log" >&2; echo "MinIO did not start" >&2; exit 1; }

# --- Chromium and a Chinese font for screenshots ----------------------------
if ! command -v chromium >/dev/null 2>&1 || ! fc-list :lang=zh 2>/dev/null | grep -q .; then
  log "installing Chromium and a Chinese font"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null
fi

# --- Generated code and formatting -----------------------------------------
log "checking templ generate and gofmt"
sum_templ() { find . -name '*_templ.go' -not -path './.git/*' -print0 | sort -z | xargs -0 -r sha256sum; }
before=$(sum_templ)
go tool templ generate -log-level error
after=$(sum_templ)
if [ "$before" != "$after" ]; then
  echo "templ generate changed generated files; run 'go tool templ generate' and commit:" >&2
  diff <(echo "$before") <(echo "$after") >&2 || true
  exit 1
fi
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.git/*'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:" >&2; echo "$unformatted" >&2; exit 1
fi

log "go vet"
go vet ./...

log "go test -race"
export JIAXIAO_ARTIFACTS="${JIAXIAO_ARTIFACTS:-$PWD/artifacts}"
go test -race -count=1 -timeout 40m "$@" ./...
