#!/usr/bin/env bash
# The one build step, shared by CI (scripts/test.sh) and the Dockerfile, so
# the image is built exactly the way CI builds and tests the binaries.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-bin}
mkdir -p "$out"
CGO_ENABLED=0 go build -trimpath -o "$out/" ./cmd/tlsgate ./cmd/tlsgate-load
