#!/usr/bin/env bash
# Run the lab Kamailio (docker/kamailio/kamailio.cfg, nathelper on) inside the "provider"
# namespace of the NAT test bed (scripts/nat/netns.sh), listening on the provider address only.
#
#   scripts/nat/kamailio-provider.sh start   start, wait until it answers OPTIONS, print KEY=VALUE
#   scripts/nat/kamailio-provider.sh stop    SIGTERM by pid file, SIGKILL after 5 s; idempotent
#
# Environment (all optional):
#   NAT_NS_PREFIX        as for netns.sh                          default sipbots-nat-
#   NAT_KAMAILIO_DIR     run directory (pid, log, cert, users)    default /tmp/sipbots-nat-kamailio
#   FR_INV_TIMER         INVITE final-reply timer, ms             default 120000
#   KAMAILIO_START_TIMEOUT  seconds to wait for OPTIONS           default 10
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cfg_dir="$repo/docker/kamailio"
ns=${NAT_NS_PREFIX:-sipbots-nat-}provider
listen=198.18.0.2
port=5060
run_dir=${NAT_KAMAILIO_DIR:-/tmp/sipbots-nat-kamailio}
pid_file="$run_dir/kamailio.pid"
log_file="$run_dir/kamailio.log"

die() {
  echo "kamailio-provider.sh: $*" >&2
  exit 1
}

# running_pid and stop_by_pid_file
source "$(dirname "${BASH_SOURCE[0]}")/../lib/pid-file.sh"

# One OPTIONS over UDP from inside the namespace; 0 when any reply comes back.
probe() {
  ip netns exec "$ns" node -e '
    const s = require("node:dgram").createSocket("udp4");
    const [host, port] = [process.argv[1], Number(process.argv[2])];
    const id = Math.random().toString(36).slice(2);
    const timer = setTimeout(() => process.exit(1), 500);
    s.on("message", () => { clearTimeout(timer); process.exit(0); });
    s.bind(0, host, () => {
      const p = s.address().port;
      s.send([`OPTIONS sip:${host}:${port} SIP/2.0`, `Via: SIP/2.0/UDP ${host}:${p};branch=z9hG4bK${id};rport`,
        "Max-Forwards: 70", `From: <sip:probe@lab.test>;tag=${id}`, `To: <sip:${host}:${port}>`, `Call-ID: nat-probe-${id}`,
        "CSeq: 1 OPTIONS", "Content-Length: 0", "", ""].join("\r\n"), port, host);
    });' "$listen" "$port" >/dev/null 2>&1
}

start() {
  command -v kamailio >/dev/null || die "kamailio not installed: run scripts/peers/install.sh (as root)"
  ip netns list | awk '{print $1}' | grep -qx "$ns" || die "namespace $ns does not exist: run scripts/nat/netns.sh up first"
  if pid=$(running_pid); then die "already running (pid $pid); run stop first"; fi
  mkdir -p "$run_dir"
  rm -f "$pid_file"
  if [[ ! -s $run_dir/lab.test.crt ]]; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -keyout "$run_dir/lab.test.key" -out "$run_dir/lab.test.crt" \
      -subj "/CN=lab.test" -addext "subjectAltName=IP:$listen,DNS:lab.test" >/dev/null 2>&1 || die "openssl could not make a certificate"
  fi
  sed "s|@CERT_DIR@|$run_dir|g" "$cfg_dir/tls.cfg" >"$run_dir/tls.cfg"
  "$cfg_dir/render-users.sh" "$cfg_dir/users.txt" >"$run_dir/users.inc.cfg"
  (
    cd "$run_dir"
    exec ip netns exec "$ns" kamailio -f "$cfg_dir/kamailio.cfg" -w "$run_dir" -Y "$run_dir" -P "$pid_file" -DD -E -m 128 -M 8 \
      -A "LISTEN_IP=$listen" -A "SIP_PORT=$port" -A "TLS_PORT=5061" -A "WS_PORT=8080" -A "WSS_PORT=8443" \
      -A "FR_INV_TIMER=${FR_INV_TIMER:-120000}" -A "TLS_CFG=\"$run_dir/tls.cfg\""
  ) >"$log_file" 2>&1 </dev/null &
  local launcher=$!
  local deadline=$((SECONDS + ${KAMAILIO_START_TIMEOUT:-10}))
  until probe; do
    if ! kill -0 "$launcher" 2>/dev/null; then
      tail -n 30 "$log_file" >&2 || true
      die "kamailio exited during start"
    fi
    if ((SECONDS >= deadline)); then
      tail -n 30 "$log_file" >&2 || true
      kill "$launcher" 2>/dev/null || true
      die "no OPTIONS reply on udp:$listen:$port in $ns"
    fi
    sleep 0.2
  done
  [[ -s $pid_file ]] || echo "$launcher" >"$pid_file"
  cat <<EOT
NAT_KAMAILIO_PID=$(<"$pid_file")
NAT_KAMAILIO_ADDR=$listen
NAT_KAMAILIO_PORT=$port
NAT_KAMAILIO_LOG=$log_file
EOT
}

stop() {
  stop_by_pid_file kamailio-provider.sh 5
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
