#!/usr/bin/env bash
# Scale-out on one machine, bounded in time: PostgreSQL (a private cluster on a loopback port), two key brokers sharing
# it behind HAProxy (TCP), three confidential servers (sim TEE, broker-ca TLS, mutual TLS) behind another HAProxy (TCP,
# TLS passed through, health checked on /v2/health/ready), and mantle bench through the balancer. It measures throughput
# with 1, 2 and 3 servers; then, while a bench runs and an admin writes to the brokers, kills one server and one broker
# with SIGKILL, starts the server again (it attests through the surviving broker and rejoins), and checks that no
# acknowledged broker write was lost. The last line gives the figures; the exit code is 0 only when every check passed.
#
#   deploy/scale-out.sh [--mantle PATH] [--model FILE.onnx] [--concurrency N] [--seconds N] [--keep]
#
# Needs: the Debian packages haproxy, postgresql, curl and python3 (scripts/install-deps.sh), and a built mantle
# (dotnet build -c Release). Everything listens on 127.0.0.1 and everything started here is stopped on exit.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
mantle_path="${MANTLE:-$repo/artifacts/bin/Mantle.Cli/release/mantle.dll}"
model=""
concurrency=4
phase_seconds=5
keep=0
budget="${MANTLE_SCALEOUT_BUDGET:-330}"
start_time=$SECONDS

while [ $# -gt 0 ]; do
  case "$1" in
    --mantle) mantle_path="$2"; shift 2 ;;
    --model) model="$2"; shift 2 ;;
    --concurrency) concurrency="$2"; shift 2 ;;
    --seconds) phase_seconds="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "scale-out: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

say() { echo "scale-out: [$((SECONDS - start_time)) s] $*" >&2; }
die() { say "FAILED: $*"; exit 1; }

# --- prerequisites --------------------------------------------------------------------------------------------------
for tool in haproxy curl python3; do
  command -v "$tool" >/dev/null || die "$tool is not installed; run scripts/install-deps.sh (Debian package '$tool')."
done
pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
[ -n "$pg_bin" ] && [ -x "$pg_bin/initdb" ] || die "PostgreSQL server binaries were not found under /usr/lib/postgresql/*/bin; run scripts/install-deps.sh (Debian package 'postgresql')."
case "$mantle_path" in
  *.dll) mantle_cmd=(dotnet "$mantle_path") ;;
  *) mantle_cmd=("$mantle_path") ;;
esac
[ -f "$mantle_path" ] || die "mantle was not found at $mantle_path; build it (dotnet build -c Release) or pass --mantle PATH."
[ -n "$model" ] || model="$(dirname "$mantle_path")/DnnImageModels/ResNet18Onnx/ResNet18.onnx"
[ -f "$model" ] || die "the model $model does not exist; pass --model FILE.onnx."

# --- bookkeeping: every process started here is stopped on exit, whatever happens -------------------------------
work="$(mktemp -d -t mantle-scaleout.XXXXXX)"
pg_dir=""
pids=()

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do
    pkill -TERM -P "$pid" 2>/dev/null || true
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [ -n "$pg_dir" ] && [ -f "$pg_dir/data/postmaster.pid" ]; then
    as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  if [ "$keep" -eq 1 ]; then
    say "kept $work${pg_dir:+ and $pg_dir}"
  else
    rm -rf "$work"
    [ -z "$pg_dir" ] || rm -rf "$pg_dir"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

check_budget() {
  [ $((SECONDS - start_time)) -lt "$budget" ] || die "over the time budget of $budget s (MANTLE_SCALEOUT_BUDGET) while $1."
}

# PostgreSQL refuses to run as root: as root, its commands run as the 'postgres' user of the Debian package.
as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

mantle() { "${mantle_cmd[@]}" "$@"; }

# Drops pids that have ended from the list that cleanup stops, so that a reused pid is never signalled.
forget() {
  local keep=() pid gone
  for pid in "${pids[@]}"; do
    for gone in "$@"; do [ "$pid" = "$gone" ] && continue 2; done
    keep+=("$pid")
  done
  pids=("${keep[@]}")
}

# Starts a long-running mantle in the background with its output in $work/logs/NAME.log; sets $started_pid.
start_mantle() {
  local name="$1"; shift
  "${mantle_cmd[@]}" "$@" >"$work/logs/$name.log" 2>&1 &
  started_pid=$!
  pids+=("$started_pid")
}

# Waits until a line of a log matches a pattern, or the process died, or the seconds ran out; prints the line.
wait_for_line() {
  local log="$1" pattern="$2" pid="$3" seconds="$4" line
  for _ in $(seq 1 $((seconds * 10))); do
    line="$(grep -m1 -E "$pattern" "$log" 2>/dev/null || true)"
    if [ -n "$line" ]; then echo "$line"; return 0; fi
    kill -0 "$pid" 2>/dev/null || { say "$(basename "$log" .log) exited; its log:"; tail -n 30 "$log" >&2; return 1; }
    sleep 0.1
  done
  say "$(basename "$log" .log) did not print /$pattern/ within $seconds s; its log:"
  tail -n 30 "$log" >&2
  return 1
}

json() { python3 -c 'import json, sys; d = json.loads(sys.stdin.read()); print(eval(sys.argv[1], {"d": d}))' "$1"; }

mkdir -p "$work/logs" "$work/owner" "$work/cloud"
export XDG_CONFIG_HOME="$work/config"
sim_key="$work/sim-platform-key.pem"
say "work folder $work; mantle ${mantle_cmd[*]}; model $(basename "$model")"

# --- PostgreSQL: a private cluster on a loopback port ----------------------------------------------------------------
pg_dir="$(mktemp -d -t mantle-scaleout-pg.XXXXXX)"
chmod 755 "$pg_dir"
[ "$(id -u)" -ne 0 ] || chown postgres:postgres "$pg_dir"
pg_port="$(free_port)"
as_postgres "$pg_bin/initdb" -D "$pg_dir/data" -A trust -U postgres --no-sync -E UTF8 >"$work/logs/initdb.log" 2>&1 \
  || { tail -n 20 "$work/logs/initdb.log" >&2; die "initdb failed."; }
as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $pg_port -c unix_socket_directories=$pg_dir -c max_connections=200" start >/dev/null \
  || { tail -n 20 "$pg_dir/server.log" >&2; die "PostgreSQL did not start."; }
"$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres mantle
db="postgres:Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=mantle;Maximum Pool Size=20"
say "PostgreSQL on 127.0.0.1:$pg_port (data in $pg_dir)"

# --- owner: keys, sealed model, client TLS material, the release policy pinned to this build ------------------------
mantle keys create --out "$work/owner/model.key" >/dev/null 2>&1
mantle keys signing create --out "$work/owner/owner.pem" >/dev/null 2>&1
mantle seal --in "$model" --out "$work/cloud/resnet/1" --key "$work/owner/model.key" --signing-key "$work/owner/owner.pem" --name resnet >/dev/null 2>&1
mantle certs create --out "$work/tls" --server-name localhost --client-name scale-out-bench >/dev/null 2>&1
cat "$work/tls/client.crt" "$work/tls/client.key" >"$work/tls/client.pem"
mantle attest evidence --tee sim --report-data 00 --out "$work/probe.bin" --sim-key "$sim_key" >/dev/null 2>&1
mantle policy from-build --out "$work/owner/release-policy.json" 2>/dev/null

# --- two brokers on one database, behind HAProxy ----------------------------------------------------------------------
broker_lb_port="$(free_port)"
mantle broker init --out "$work/broker" --allow-sim --broker-url "https://localhost:$broker_lb_port" >/dev/null 2>&1
broker_ports=()
broker_pids=()
for i in 1 2; do
  start_mantle "broker$i" broker serve --config "$work/broker" --db "$db" --urls "https://127.0.0.1:0" --sim-key "$sim_key"
  broker_pids+=("$started_pid")
done
for i in 1 2; do
  line="$(wait_for_line "$work/logs/broker$i.log" 'Key broker listening on ' "${broker_pids[$((i - 1))]}" 90)" || die "broker $i did not start."
  broker_ports+=("$(sed -E 's/.*https:\/\/127\.0\.0\.1:([0-9]+).*/\1/' <<<"$line")")
done
say "brokers on 127.0.0.1:${broker_ports[0]} and :${broker_ports[1]}"

haproxy_common() {
  cat <<EOF
global
  maxconn 2000
defaults
  mode tcp
  timeout connect 2s
  timeout client 60s
  timeout server 60s
  retries 3
  option redispatch
EOF
}

# TCP mode: TLS passes through to the process that made the key; health checks speak TLS to it themselves.
{
  haproxy_common
  cat <<EOF
frontend brokers
  bind 127.0.0.1:$broker_lb_port
  default_backend brokers
backend brokers
  balance roundrobin
  option httpchk
  http-check send meth GET uri /.well-known/jwks.json hdr Host localhost
  server b1 127.0.0.1:${broker_ports[0]} check check-ssl verify required ca-file $work/broker/ca.crt verifyhost localhost inter 500ms fall 2 rise 1
  server b2 127.0.0.1:${broker_ports[1]} check check-ssl verify required ca-file $work/broker/ca.crt verifyhost localhost inter 500ms fall 2 rise 1
EOF
} >"$work/haproxy-brokers.cfg"
haproxy -c -q -f "$work/haproxy-brokers.cfg" || die "HAProxy refused the generated broker configuration."
haproxy -db -f "$work/haproxy-brokers.cfg" >"$work/logs/haproxy-brokers.log" 2>&1 &
pids+=("$!")

admin=(--credential "$work/broker/admin.credential")
registered=0
for _ in $(seq 1 50); do
  if mantle broker keys put "${admin[@]}" --key "$work/owner/model.key" --policy "$work/owner/release-policy.json" >/dev/null 2>"$work/logs/keys-put.log"; then
    registered=1
    break
  fi
  sleep 0.2
done
[ "$registered" -eq 1 ] || { cat "$work/logs/keys-put.log" >&2; die "the model key was not registered through the broker balancer."; }
check_budget "starting the brokers"

# --- three servers: each attests through the broker balancer, receives the key and a broker-CA certificate ----------
serve=(serve --broker "https://localhost:$broker_lb_port" --broker-ca "$work/broker/ca.crt" --tee sim --sim-key "$sim_key"
  --owner-key "$work/owner/owner.pem.pub" --model_name resnet --model_base_path "$work/cloud/resnet"
  --client-ca "$work/tls/ca.crt" --file_system_poll_wait_seconds 0 --intra_op_threads 1 --json)
server_pids=()
grpc_ports=()
rest_ports=()
for i in 1 2 3; do
  start_mantle "server$i" "${serve[@]}" --port 0 --rest_api_port 0
  server_pids+=("$started_pid")
done
for i in 1 2 3; do
  line="$(wait_for_line "$work/logs/server$i.log" '^\{"grpc_port"' "${server_pids[$((i - 1))]}" 120)" || die "server $i did not become ready."
  grpc_ports+=("$(json 'd["grpc_port"]' <<<"$line")")
  rest_ports+=("$(json 'd["rest_port"]' <<<"$line")")
done
say "servers ready (REST on 127.0.0.1:${rest_ports[*]})"
check_budget "starting the servers"

server_line() {
  echo "  server s$1 127.0.0.1:${rest_ports[$(($1 - 1))]} check check-ssl verify required ca-file $work/broker/ca.crt verifyhost localhost crt $work/tls/client.pem inter 500ms fall 2 rise 1"
}
lb_ports=()
{
  haproxy_common
  for n in 1 2 3; do
    lb_ports+=("$(free_port)")
    cat <<EOF
frontend servers$n
  bind 127.0.0.1:${lb_ports[$((n - 1))]}
  default_backend servers$n
backend servers$n
  balance roundrobin
  option httpchk
  http-check send meth GET uri /v2/health/ready hdr Host localhost
EOF
    for s in $(seq 1 "$n"); do server_line "$s"; done
  done
} >"$work/haproxy-servers.cfg"
haproxy -c -q -f "$work/haproxy-servers.cfg" || die "HAProxy refused the generated server configuration."
haproxy -db -f "$work/haproxy-servers.cfg" >"$work/logs/haproxy-servers.log" 2>&1 &
pids+=("$!")

trust=(--ca "$work/broker/ca.crt" --policy "$work/owner/release-policy.json" --cert "$work/tls/client.crt" --key "$work/tls/client.key")
bench() {
  local port="$1" seconds="$2"
  mantle bench --url "localhost:$port" --model resnet --protocol kserve-rest "${trust[@]}" \
    --concurrency "$concurrency" --loop 1000000 --warmup 2 --max-seconds "$seconds" --json 2>>"$work/logs/bench.log"
}

# --- throughput with 1, 2 and 3 servers -----------------------------------------------------------------------------
sleep 1.5 # the health checks mark every server up
throughput=()
for n in 1 2 3; do
  result="$(bench "${lb_ports[$((n - 1))]}" "$phase_seconds" || true)"
  [ -n "$result" ] || die "the bench through the balancer with $n server(s) printed nothing; see $work/logs/bench.log."
  throughput+=("$(json 'd["throughput"]' <<<"$result")")
  say "$n server(s): $(json 'd["throughput"]' <<<"$result") items/s, $(json 'd["requests"]' <<<"$result") requests, $(json 'd["errors"]' <<<"$result") failed"
  check_budget "measuring $n server(s)"
done

# --- failover: kill -9 one server and one broker under load and under admin writes ----------------------------------
audit_json() { mantle broker audit "${admin[@]}" --broker "https://localhost:${broker_ports[1]}" "$@" --json 2>>"$work/logs/audit.log"; }
releases() { audit_json | json 'sum(1 for e in d if e["action"] == "resource.release" and e["outcome"] == "ok")'; }
releases_before="$(releases)"

touch "$work/writes.acked" "$work/writes.failed"
writer() {
  local i=0 target
  head -c 32 /dev/urandom >"$work/payload.bin"
  while [ ! -e "$work/writes.stop" ]; do
    i=$((i + 1))
    # Every other write goes straight to broker 1, the one that is killed: what it acknowledged must survive it.
    if [ $((i % 2)) -eq 1 ]; then target="https://localhost:${broker_ports[0]}"; else target="https://localhost:$broker_lb_port"; fi
    if mantle broker resource put "${admin[@]}" --broker "$target" --path "scaleout/write/w$i" --file "$work/payload.bin" >/dev/null 2>>"$work/logs/writer.log"; then
      echo "scaleout/write/w$i" >>"$work/writes.acked"
    else
      echo "scaleout/write/w$i" >>"$work/writes.failed"
    fi
    sleep 0.5
  done
}
writer &
writer_pid=$!
pids+=("$writer_pid")

failover_seconds=$((phase_seconds * 3))
bench "${lb_ports[2]}" "$failover_seconds" >"$work/failover.json" &
bench_pid=$!
pids+=("$bench_pid")

sleep "$phase_seconds"
until [ -s "$work/writes.acked" ]; do check_budget "waiting for a broker write before the kill"; sleep 0.2; done
acked_before_kill="$(wc -l <"$work/writes.acked")"
kill -KILL "${server_pids[1]}" "${broker_pids[0]}"
wait "${server_pids[1]}" "${broker_pids[0]}" 2>/dev/null || true
forget "${server_pids[1]}" "${broker_pids[0]}"
killed_at=$SECONDS
say "killed server 2 (pid ${server_pids[1]}) and broker 1 (pid ${broker_pids[0]}) with SIGKILL; $acked_before_kill writes acknowledged before"

restart_ms_start="$(date +%s%3N)"
start_mantle "server2-replacement" "${serve[@]}" --port "${grpc_ports[1]}" --rest_api_port "${rest_ports[1]}"
replacement_pid=$started_pid
line="$(wait_for_line "$work/logs/server2-replacement.log" '^\{"grpc_port"' "$replacement_pid" 120)" || die "the replacement server did not become ready."
replacement_ms=$(( $(date +%s%3N) - restart_ms_start ))
say "replacement server ready in $replacement_ms ms"

wait "$bench_pid" || true
touch "$work/writes.stop"
wait "$writer_pid" || true
forget "$bench_pid" "$writer_pid"
[ -s "$work/failover.json" ] || die "the failover bench printed nothing; see $work/logs/bench.log."
requests="$(json 'd["requests"]' <"$work/failover.json")"
failed="$(json 'd["errors"]' <"$work/failover.json")"
completed=$((requests - failed))
say "failover bench: $requests requests, $failed failed, $(json 'd["throughput"]' <"$work/failover.json") items/s"
[ "$failed" -eq 0 ] || say "first failure: $(json 'd["first_error"]' <"$work/failover.json")"
check_budget "the failover phase"

# --- the replacement rejoins: new connections through the balancer reach it -----------------------------------------
metrics_ok() {
  curl -sS --max-time 10 --cacert "$work/broker/ca.crt" --cert "$work/tls/client.crt" --key "$work/tls/client.key" \
    "https://localhost:${rest_ports[1]}/metrics" \
    | awk '/^mantle_serving_requests_total\{/ && /outcome="ok"/ { sum += $NF } END { print sum + 0 }'
}
sleep 1.5 # the health check marks it up again
served_before="$(metrics_ok)"
bench "${lb_ports[2]}" 3 >/dev/null || true
rejoined=$(( $(metrics_ok) - served_before ))
[ "$rejoined" -gt 0 ] || die "the replacement server served no request through the balancer after it was ready."


# --- no acknowledged broker write was lost --------------------------------------------------------------------------
mantle broker resource list "${admin[@]}" --broker "https://localhost:${broker_ports[1]}" --json >"$work/resources.json" 2>>"$work/logs/audit.log"
audit_json >"$work/audit.json"
releases_after="$(json 'sum(1 for e in d if e["action"] == "resource.release" and e["outcome"] == "ok")' <"$work/audit.json")"
[ "$releases_after" -gt "$releases_before" ] || die "the broker's audit log has no key release for the replacement server."
audit_json --verify >"$work/audit-verify.json" || die "the audit chain does not verify: $(cat "$work/audit-verify.json")"
[ "$(json 'd["valid"]' <"$work/audit-verify.json")" = "True" ] || die "the audit chain does not verify."
audit_entries="$(json 'd["entries"]' <"$work/audit-verify.json")"
acked="$(wc -l <"$work/writes.acked")"
unacknowledged="$(wc -l <"$work/writes.failed")"
lost="$(python3 - "$work/writes.acked" "$work/resources.json" "$work/audit.json" <<'EOF'
import json, sys
acked = [line.strip() for line in open(sys.argv[1]) if line.strip()]
stored = {r["path"] for r in json.load(open(sys.argv[2]))}
audited = {e["subject"] for e in json.load(open(sys.argv[3])) if e["action"] == "resource.put" and e["outcome"] == "ok"}
missing = [p for p in acked if p not in stored or p not in audited]
for p in missing:
    print("lost: " + p, file=sys.stderr)
print(len(missing))
EOF
)"
[ "$acked" -gt 0 ] || die "no broker write was acknowledged during the run."
[ "$acked_before_kill" -gt 0 ] || die "no broker write was acknowledged before the kill."

total=$((SECONDS - start_time))
say "done in $total s"
echo "scale-out: throughput ${throughput[0]} / ${throughput[1]} / ${throughput[2]} items/s with 1 / 2 / 3 servers;" \
  "replacement ready in $replacement_ms ms, served $rejoined requests after rejoining;" \
  "requests completed $completed, failed $failed;" \
  "broker writes acknowledged $acked ($acked_before_kill before the kill; $unacknowledged not acknowledged), lost $lost;" \
  "audit chain verifies ($audit_entries entries)"
[ "$lost" -eq 0 ] || exit 1
