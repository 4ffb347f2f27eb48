#!/usr/bin/env bash
# sipbots load vs SIPp through the same Kamailio on loopback (npm run bench:load).
#
#   bench/load-vs-sipp.sh            3 runs, rate steps of LOAD_BENCH_STEP_S seconds each
#
# Starts Kamailio tuned for load (4 children from docker/kamailio, -m 1024), raises the UDP
# socket buffer defaults to 4 MB when run as root (restored on exit), then runs
# bench/load-vs-sipp.ts: for SIPp (uac-auth.xml -> Kamailio -> uas-answer.xml) and for
# `sipbots load` (callers and callees from the same pool), the highest calls/s with < 0.1 %
# failed calls, CPU seconds per 1,000 calls, and 1,000 concurrent held calls (RSS, CPU).
# Environment: LOAD_BENCH_RUNS (3), LOAD_BENCH_STEP_S (4), LOAD_BENCH_RATES
# ("500,1000,1500,2000,2500,3000,4000,5000,6000"), LOAD_BENCH_HOLD_S (1).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
for bin in kamailio sipp node; do
  command -v "$bin" >/dev/null || { echo "load-vs-sipp: $bin not installed (scripts/peers/install.sh)" >&2; exit 1; }
done
[[ -f $repo/dist/load/engine/load-engine.js ]] || (cd "$repo" && npm run build >/dev/null)

state_dir=$(mktemp -d /tmp/sipbots-load-bench-XXXXXX)
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
  # Kamailio sizes its UDP receive buffer from the default; 208 KB overflows at ~1,000 calls/s.
  for key in net.core.rmem_default net.core.wmem_default; do
    restore_sysctl+=("$key=$(sysctl -n "$key")")
    sysctl -q -w "$key=$(sysctl -n net.core.rmem_max)"
  done
else
  echo "load-vs-sipp: not root, UDP buffers stay at $(cat /proc/sys/net/core/rmem_default) bytes (expect drops early)" >&2
fi

bash "$repo/scripts/peers/kamailio.sh" start >/dev/null
port=$(grep '^KAMAILIO_PORT=' "$KAMAILIO_STATE" | cut -d= -f2)
pid=$(grep '^KAMAILIO_PID=' "$KAMAILIO_STATE" | cut -d= -f2)
cd "$repo"
KAMAILIO_PORT=$port KAMAILIO_PID=$pid npx --no-install tsx bench/load-vs-sipp.ts
