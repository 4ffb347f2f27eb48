# Sourced by the load benchmarks (load-vs-sipp.sh, load-memory.sh): checks the tools, builds
# dist/ if missing, starts Kamailio tuned for load (docker/kamailio, -m ${KAMAILIO_SHM_MB:-1024})
# and, as root, raises the UDP socket buffer defaults to the maximum; everything is undone on
# exit. Sets state_dir, port and pid for the caller.
#   start_load_kamailio NAME TOOL...     NAME prefixes messages and the work folder
start_load_kamailio() {
  local name=$1
  shift
  for bin in kamailio node "$@"; do
    command -v "$bin" >/dev/null || { echo "$name: $bin not installed (scripts/peers/install.sh)" >&2; exit 1; }
  done
  [[ -f $repo/dist/load/engine/load-engine.js ]] || (cd "$repo" && npm run build >/dev/null)

  state_dir=$(mktemp -d "/tmp/sipbots-$name-XXXXXX")
  export KAMAILIO_STATE=$state_dir/state.env
  export KAMAILIO_SHM_MB=${KAMAILIO_SHM_MB:-1024}
  restore_sysctl=()
  trap stop_load_kamailio EXIT

  if [[ $(id -u) == 0 ]]; then
    # Kamailio sizes its UDP receive buffer from the default; 208 KB overflows at ~1,000 requests/s.
    for key in net.core.rmem_default net.core.wmem_default; do
      restore_sysctl+=("$key=$(sysctl -n "$key")")
      sysctl -q -w "$key=$(sysctl -n net.core.rmem_max)"
    done
  else
    echo "$name: not root, UDP buffers stay at $(cat /proc/sys/net/core/rmem_default) bytes (expect drops early)" >&2
  fi

  bash "$repo/scripts/peers/kamailio.sh" start >/dev/null
  port=$(grep '^KAMAILIO_PORT=' "$KAMAILIO_STATE" | cut -d= -f2)
  pid=$(grep '^KAMAILIO_PID=' "$KAMAILIO_STATE" | cut -d= -f2)
}

stop_load_kamailio() {
  bash "$repo/scripts/peers/kamailio.sh" stop >/dev/null 2>&1 || true
  for setting in "${restore_sysctl[@]}"; do sysctl -q -w "$setting" >/dev/null 2>&1 || true; done
  rm -rf "$state_dir"
}
