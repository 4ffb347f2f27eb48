#!/usr/bin/env bash
# Run the sipbots lab Kamailio natively on 127.0.0.1 (and [::1] where the host has IPv6
# loopback, on the same ports), in a temp run directory.
#
#   scripts/peers/kamailio.sh start    pick free ports, start, wait for OPTIONS, print ports
#   scripts/peers/kamailio.sh stop     SIGTERM by pid file, wait, SIGKILL after 10 s
#   scripts/peers/kamailio.sh status   print the state file; exit 1 if not running
#
# Environment (all optional):
#   KAMAILIO_STATE      state file (KEY=VALUE lines)  default /tmp/sipbots-kamailio/state.env
#                       its directory is the run directory (pid, log, cert, rendered cfg)
#   KAMAILIO_PORT       UDP+TCP port      KAMAILIO_TLS_PORT  TLS port
#   KAMAILIO_WS_PORT    WS port           KAMAILIO_WSS_PORT  WSS port
#                       (each picked free on 127.0.0.1 when unset)
#   FR_INV_TIMER        INVITE final-reply timer in ms (default 120000)
#   FR_TIMER            any-reply timer in ms (default 5000, capped at FR_INV_TIMER)
#   KAMAILIO_SHM_MB     shared memory in MB (default 256; use 1024+ for load)
#   KAMAILIO_DEBUG=1    verbose log
#   KAMAILIO_START_TIMEOUT  seconds to wait for the first OPTIONS reply (default 10)
#   KAMAILIO_RTPENGINE=1    also start rtpengine (userspace forwarding, 127.0.0.1, its NG port
#                       picked free, RTP ports from a 2000-port block below the ephemeral range)
#                       and anchor every call's media in it (kamailio.cfg WITH_RTPENGINE)
#   KAMAILIO_RTPENGINE_BLOCK=caller  rtpengine drops what callers send (one-way audio, for tests)
#   RTPENGINE_PORT_COUNT=N  size of its RTP port block (default 2000; 4 ports a call)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cfg_dir="$repo/docker/kamailio"
state_file=${KAMAILIO_STATE:-/tmp/sipbots-kamailio/state.env}
run_dir=$(dirname "$state_file")
pid_file="$run_dir/kamailio.pid"
rtpengine_pid_file="$run_dir/rtpengine.pid"
log_file="$run_dir/kamailio.log"

die() {
  echo "kamailio.sh: $*" >&2
  exit 1
}

# running_pid and stop_by_pid_file
source "$(dirname "${BASH_SOURCE[0]}")/../lib/pid-file.sh"

# A port free for both UDP and TCP on 127.0.0.1 (the SIP port serves both), and on ::1
# too when the host has IPv6 loopback (Kamailio then listens there as well).
free_port() {
  node -e '
    const net = require("node:net"), dgram = require("node:dgram");
    const hosts = process.argv[1] === "1" ? ["127.0.0.1", "::1"] : ["127.0.0.1"];
    function bindAll(port, i, done) {
      if (i === hosts.length) return done(true);
      const host = hosts[i];
      const srv = net.createServer();
      srv.once("error", () => done(false));
      srv.listen(port, host, () => {
        const udp = dgram.createSocket(host.includes(":") ? "udp6" : "udp4");
        udp.once("error", () => { udp.close(); srv.close(() => done(false)); });
        udp.bind(port, host, () => { udp.close(); srv.close(() => bindAll(port, i + 1, done)); });
      });
    }
    function attempt(left) {
      const probe = net.createServer().listen(0, "127.0.0.1", () => {
        const port = probe.address().port;
        probe.close(() => bindAll(port, 0, (ok) => ok ? console.log(port) : left > 0 ? attempt(left - 1) : process.exit(1)));
      });
    }
    attempt(20);' "$ipv6"
}

# 1 when this host can bind ::1 (IPv6 loopback configured), else 0.
has_ipv6_loopback() {
  node -e '
    const s = require("node:dgram").createSocket("udp6");
    s.once("error", () => { console.log(0); s.close(); });
    s.bind(0, "::1", () => { console.log(1); s.close(); });'
}

pick_port() {
  local given=$1 port
  if [[ -n $given ]]; then
    echo "$given"
    return
  fi
  # Avoid handing out a port already picked in this run.
  for _ in 1 2 3 4 5; do
    port=$(free_port)
    [[ " ${picked[*]:-} " == *" $port "* ]] || break
  done
  echo "$port"
}

make_cert() {
  [[ -s $run_dir/lab.test.crt && -s $run_dir/lab.test.key ]] && return
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 \
    -keyout "$run_dir/lab.test.key" -out "$run_dir/lab.test.crt" \
    -subj "/CN=lab.test" \
    -addext "subjectAltName=IP:127.0.0.1,IP:::1,DNS:lab.test" >/dev/null 2>&1 ||
    die "openssl could not create the self-signed certificate in $run_dir"
}

fail_start() {
  echo "kamailio.sh: $*" >&2
  echo "---- last lines of $log_file ----" >&2
  tail -n 40 "$log_file" >&2 || true
  if pid=$(running_pid); then kill "$pid" 2>/dev/null || true; fi
  stop_rtpengine >/dev/null
  exit 1
}

# Answers rtpengine's NG ping (bencode over UDP) within 500 ms?
ng_ping() {
  node -e '
    const s = require("node:dgram").createSocket("udp4");
    const t = setTimeout(() => process.exit(1), 500);
    s.on("message", (m) => { clearTimeout(t); process.exit(m.toString().includes("pong") ? 0 : 1); });
    s.send("sipbots-ping d7:command4:pinge", Number(process.argv[1]), "127.0.0.1");' "$1"
}

# rtpengine on 127.0.0.1 without the kernel module (--table=-1), logging to the run directory.
start_rtpengine() {
  command -v rtpengine >/dev/null || die "rtpengine not installed: run scripts/peers/install.sh (as root)"
  local ng_port=$1 port_min=$2 port_max=$3
  rtpengine --config-file=none --interface=127.0.0.1 --listen-ng="127.0.0.1:$ng_port" --table=-1 \
    --port-min="$port_min" --port-max="$port_max" --foreground --log-stderr \
    >"$run_dir/rtpengine.log" 2>&1 </dev/null &
  echo $! >"$rtpengine_pid_file"
  local deadline=$((SECONDS + ${KAMAILIO_START_TIMEOUT:-10}))
  until ng_ping "$ng_port"; do
    kill -0 "$(<"$rtpengine_pid_file")" 2>/dev/null || { tail -n 20 "$run_dir/rtpengine.log" >&2; die "rtpengine exited during start"; }
    ((SECONDS < deadline)) || { stop_rtpengine >/dev/null; die "rtpengine: no NG pong on 127.0.0.1:$ng_port"; }
    sleep 0.2
  done
}

stop_rtpengine() {
  pid_file=$rtpengine_pid_file stop_by_pid_file rtpengine 10
}

start() {
  command -v kamailio >/dev/null || die "kamailio not installed: run scripts/peers/install.sh (as root)"
  if pid=$(running_pid); then
    die "already running (pid $pid, state $state_file); run stop first"
  fi
  mkdir -p "$run_dir"
  rm -f "$pid_file"

  picked=()
  ipv6=$(has_ipv6_loopback)
  local sip_port tls_port ws_port wss_port
  sip_port=$(pick_port "${KAMAILIO_PORT:-}"); picked+=("$sip_port")
  tls_port=$(pick_port "${KAMAILIO_TLS_PORT:-}"); picked+=("$tls_port")
  ws_port=$(pick_port "${KAMAILIO_WS_PORT:-}"); picked+=("$ws_port")
  wss_port=$(pick_port "${KAMAILIO_WSS_PORT:-}"); picked+=("$wss_port")
  local fr_inv_timer=${FR_INV_TIMER:-120000}
  # fr_timer above fr_inv_timer delays the 408 on stream transports (see kamailio.cfg, tm).
  local fr_timer=${FR_TIMER:-5000}
  ((fr_timer <= fr_inv_timer)) || fr_timer=$fr_inv_timer

  make_cert
  sed "s|@CERT_DIR@|$run_dir|g" "$cfg_dir/tls.cfg" >"$run_dir/tls.cfg"
  # kamailio.cfg includes users.inc.cfg relative to the directory Kamailio starts in.
  "$cfg_dir/render-users.sh" "$cfg_dir/users.txt" >"$run_dir/users.inc.cfg"

  local defines=(
    -A "SIP_PORT=$sip_port" -A "TLS_PORT=$tls_port"
    -A "WS_PORT=$ws_port" -A "WSS_PORT=$wss_port"
    -A "FR_INV_TIMER=$fr_inv_timer" -A "FR_TIMER=$fr_timer"
    -A "TLS_CFG=\"$run_dir/tls.cfg\""
  )
  [[ $ipv6 == 1 ]] && defines+=(-A "LISTEN_IP6=::1")
  [[ ${KAMAILIO_DEBUG:-} == 1 ]] && defines+=(-A WITH_DEBUG)
  local ng_port="" rtp_min="" rtp_max=""
  if [[ ${KAMAILIO_RTPENGINE:-} == 1 ]]; then
    ng_port=$(pick_port "${RTPENGINE_NG_PORT:-}"); picked+=("$ng_port")
    # Below 32768, so the OS never hands these out as ephemeral ports; a random block per run.
    # rtpengine takes 4 ports a call (RTP and RTCP on each side): 2000 hold 500 calls.
    local rtp_count=${RTPENGINE_PORT_COUNT:-2000}
    ((rtp_count >= 4 && rtp_count <= 12000)) || die "RTPENGINE_PORT_COUNT=$rtp_count: give 4 to 12000"
    rtp_min=$((20000 + 2 * (RANDOM % ((12000 - rtp_count) / 2 + 1))))
    rtp_max=$((rtp_min + rtp_count - 1))
    start_rtpengine "$ng_port" "$rtp_min" "$rtp_max"
    defines+=(-A WITH_RTPENGINE -A "RTPENGINE_SOCK=\"udp:127.0.0.1:$ng_port\"")
    [[ ${KAMAILIO_RTPENGINE_BLOCK:-} == caller ]] && defines+=(-A RTPENGINE_BLOCK_CALLER)
  fi

  (
    cd "$run_dir"
    exec kamailio -f "$cfg_dir/kamailio.cfg" -w "$run_dir" -Y "$run_dir" -P "$pid_file" \
      -DD -E -m "${KAMAILIO_SHM_MB:-256}" -M 8 "${defines[@]}"
  ) >"$log_file" 2>&1 </dev/null &
  local launcher=$!

  # Ready when it answers an OPTIONS over UDP; bounded retries.
  local deadline=$((SECONDS + ${KAMAILIO_START_TIMEOUT:-10}))
  until node "$here/sip-probe.mjs" udp "$sip_port" 500 >/dev/null 2>&1; do
    kill -0 "$launcher" 2>/dev/null || fail_start "kamailio exited during start"
    ((SECONDS < deadline)) || fail_start "no OPTIONS reply on udp:127.0.0.1:$sip_port after ${KAMAILIO_START_TIMEOUT:-10} s"
    sleep 0.2
  done
  [[ -s $pid_file ]] || echo "$launcher" >"$pid_file"

  cat >"$state_file" <<EOF
KAMAILIO_PID=$(<"$pid_file")
KAMAILIO_HOST=127.0.0.1
KAMAILIO_HOST6=$([[ $ipv6 == 1 ]] && echo ::1)
KAMAILIO_DOMAIN=lab.test
KAMAILIO_PORT=$sip_port
KAMAILIO_TCP_PORT=$sip_port
KAMAILIO_TLS_PORT=$tls_port
KAMAILIO_WS_PORT=$ws_port
KAMAILIO_WSS_PORT=$wss_port
KAMAILIO_FR_INV_TIMER=$fr_inv_timer
KAMAILIO_FR_TIMER=$fr_timer
KAMAILIO_CERT=$run_dir/lab.test.crt
KAMAILIO_LOG=$log_file
KAMAILIO_RUN_DIR=$run_dir
RTPENGINE_NG_PORT=$ng_port
RTPENGINE_PORTS=${rtp_min:+$rtp_min-$rtp_max}
RTPENGINE_LOG=${ng_port:+$run_dir/rtpengine.log}
EOF
  cat "$state_file"
}

stop() {
  stop_by_pid_file kamailio.sh 10
  [[ -e $rtpengine_pid_file ]] && stop_rtpengine
  return 0
}

status() {
  local pid
  if pid=$(running_pid); then
    echo "kamailio.sh: running (pid $pid)"
    cat "$state_file"
  else
    echo "kamailio.sh: not running"
    return 1
  fi
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
