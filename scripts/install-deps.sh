#!/usr/bin/env bash
# Installs the Debian packages that the tests need. Idempotent; needs root (or sudo).
set -euo pipefail

packages=(
  libonnx-testdata   # ONNX backend test suite: conformance tests of the inference server
  postgresql         # the key broker's PostgreSQL storage tests
  python3-grpcio     # stock-client test: Python gRPC sends TF Serving Predict over mutual TLS
  python3-protobuf   #   (its message classes, built from the protos' descriptors)
  curl               # stock-client test: REST over mutual TLS
  haproxy            # deploy/scale-out.sh: TCP-mode balancer in front of the servers and of the brokers
  python3            # deploy/scale-out.sh: free ports and JSON in the script
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# The deployment tests render deploy/kubernetes with 'kubectl kustomize'; any kubectl on PATH will do, else Debian's.
command -v kubectl >/dev/null || missing+=(kubernetes-client)
[ ${#missing[@]} -eq 0 ] && { echo "install-deps: all packages present"; exit 0; }

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
