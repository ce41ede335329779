#!/usr/bin/env bash
# The confidential flow on one machine, with the simulated TEE (no security: development only):
#   owner seals ResNet-18 → broker holds the model key under a policy → the serving runtime attests
#   with sim evidence and receives the key → serves the sealed model from memory → a requester calls
#   all four APIs and benchmarks the server against ONNX Runtime in-process.
# Everything runs on 127.0.0.1 and is removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
  echo "no free port found" >&2; return 1
}
wait_for() { # file pattern seconds
  for _ in $(seq 1 $(($3 * 10))); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "timed out waiting for '$2' in $1:" >&2; cat "$1" >&2; return 1
}

step "Building (Release)"
dotnet build Mantle.slnx -c Release --nologo -v quiet
mantle_dll=artifacts/bin/Mantle.Cli/release/mantle.dll
mantle() { dotnet "$mantle_dll" "$@"; }
# For the background servers: exec, so that $! is the server itself and the cleanup's kill reaches it
# (a function run with & is a subshell, and killing that would leave the server running).
mantle_bg() { exec dotnet "$mantle_dll" "$@"; }
model=artifacts/bin/Mantle.Benchmarks/release/DnnImageModels/ResNet18Onnx/ResNet18.onnx

work=$(mktemp -d -t mantle-demo.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
# The simulated TEE's platform key lives in the configuration folder: keep the demo's own.
export XDG_CONFIG_HOME="$work/config"
mkdir -p "$work/owner" "$work/tee" "$work/plain/resnet18/1"

step "1. Model owner: create keys, seal ResNet-18 (the cloud only ever sees ciphertext)"
keyid=$(mantle keys create --out "$work/owner/model.key")
echo "model key id: $keyid"
mantle keys signing create --out "$work/owner/owner.pem" >/dev/null
mantle seal --in "$model" --out "$work/cloud/resnet18/1" --key "$work/owner/model.key" \
  --signing-key "$work/owner/owner.pem" --name resnet18
mantle inspect "$work/cloud/resnet18/1" --owner-key "$work/owner/owner.pem.pub"

step "2. Key broker: initialize, start, register the model key"
bport=$(free_port)
broker="http://127.0.0.1:$bport"
mantle broker init --out "$work/broker" --allow-sim --broker-url "$broker" >/dev/null
mantle attest evidence --tee sim --report-data 00 --out "$work/probe.bin" >/dev/null 2>&1   # creates the sim platform key
mantle_bg broker serve --config "$work/broker" --plaintext --urls "$broker" \
  --sim-key "$XDG_CONFIG_HOME/mantle/sim-platform-key.pem" >"$work/broker.log" 2>&1 &
pids+=($!)
wait_for "$work/broker.log" "listening" 60
mantle broker keys put --broker "$broker" --credential "$work/broker/admin.credential" --key "$work/owner/model.key"

step "3. Serving runtime (simulated TEE): attest to the broker and receive the model key"
mantle broker fetch --broker "$broker" --tee sim --path "mantle/model-key/$keyid" --out "$work/tee/model.key"

step "4. Serve the sealed model: verify the owner's signature, unseal in memory, load ONNX Runtime"
mantle_bg serve --plaintext --model_name resnet18 --model_base_path "$work/cloud/resnet18" \
  --owner-key "$work/owner/owner.pem.pub" --key-file "$work/tee/model.key" \
  --port 0 --rest_api_port 0 --file_system_poll_wait_seconds 0 --json >"$work/serve.json" 2>"$work/serve.log" &
pids+=($!)
wait_for "$work/serve.json" "rest_port" 120
grpc=$(sed -n 's/.*"grpc_port": *\([0-9]*\).*/\1/p' "$work/serve.json")
rest=$(sed -n 's/.*"rest_port": *\([0-9]*\).*/\1/p' "$work/serve.json")
echo "gRPC on 127.0.0.1:$grpc, REST on 127.0.0.1:$rest"

step "5. Requester: one request over each API (same random input, same outputs)"
for protocol in tfs-grpc tfs-rest kserve-grpc kserve-rest; do
  port=$grpc; [[ $protocol == *rest ]] && port=$rest
  mantle infer --url "127.0.0.1:$port" --model resnet18 --protocol "$protocol"
done

step "6. Benchmark: served (TF Serving gRPC) against ONNX Runtime in-process, same load"
cp "$model" "$work/plain/resnet18/1/model.onnx"
mantle bench --in-process --model_base_path "$work/plain/resnet18" --concurrency 2 --loop 10 --warmup 2
mantle bench --url "127.0.0.1:$grpc" --model resnet18 --protocol tfs-grpc --concurrency 2 --loop 10 --warmup 2

step "7. Broker audit log: every admin change and key release, hash-chained"
mantle broker audit --broker "$broker" --credential "$work/broker/admin.credential" --verify

step "Done. The server and broker stop now; the demo folder is removed."
