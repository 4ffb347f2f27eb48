#!/usr/bin/env bash
# Memory of `sipbots load` over a long run (npm run bench:load-memory), issue 17:
#   1. 240,000 REGISTERs at 4,000/s through Kamailio under --max-old-space-size=64: must complete;
#   2. a soak: REGISTERs at LOAD_MEMORY_SOAK_RATE (2,000/s) for LOAD_MEMORY_SOAK_S (600 s), RSS and
#      heap sampled every 10 s; memory must follow concurrency, so minute 10 is within 10 % of minute 2.
# Starts Kamailio (docker/kamailio, users u0001..u0200), raises the UDP socket buffer defaults to
# Kamailio's maximum when run as root (restored on exit), then runs bench/load-memory.ts.
# Environment: LOAD_MEMORY_REGISTERS (240000), LOAD_MEMORY_RATE (4000), LOAD_MEMORY_HEAP_MB (64),
# LOAD_MEMORY_CONCURRENCY (the load's default cap),
# LOAD_MEMORY_SOAK_RATE (2000), LOAD_MEMORY_SOAK_S (600; 0 skips the soak).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
for bin in kamailio node; do
  command -v "$bin" >/dev/null || { echo "load-memory: $bin not installed (scripts/peers/install.sh)" >&2; exit 1; }
done
[[ -f $repo/dist/load/engine/load-engine.js ]] || (cd "$repo" && npm run build >/dev/null)

state_dir=$(mktemp -d /tmp/sipbots-load-memory-XXXXXX)
export KAMAILIO_STATE=$state_dir/state.env
export KAMAILIO_SHM_MB=${KAMAILIO_SHM_MB:-1024}

restore_sysctl=()
cleanup() {
  bash "$repo/scripts/peers/kamailio.sh" stop >/dev/null 2>&1 || true
  for setting in "${restore_sysctl[@]}"; do sysctl -q -w "$setting" >/dev/null 2>&1 || true; done
  rm -rf "$state_dir"
}
trap cleanup EXIT

if [[ $(id -u) == 0 ]]; then
  # Kamailio sizes its UDP receive buffer from the default; 208 KB overflows at ~1,000 requests/s.
  for key in net.core.rmem_default net.core.wmem_default; do
    restore_sysctl+=("$key=$(sysctl -n "$key")")
    sysctl -q -w "$key=$(sysctl -n net.core.rmem_max)"
  done
fi

bash "$repo/scripts/peers/kamailio.sh" start >/dev/null
port=$(grep '^KAMAILIO_PORT=' "$KAMAILIO_STATE" | cut -d= -f2)
cd "$repo"
KAMAILIO_PORT=$port LOAD_MEMORY_DIR=$state_dir npx --no-install tsx bench/load-memory.ts
