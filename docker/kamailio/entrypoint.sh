#!/bin/sh
# Container entrypoint: render users and TLS config into /run/kamailio, make a
# self-signed cert if none is mounted, then run Kamailio in the foreground.
# Env: LISTEN_IP (default: this container's address), FR_INV_TIMER (ms),
#      KAMAILIO_SHM_MB (default 256), KAMAILIO_ALIAS (extra domain, default "kamailio"),
#      SIP_PORT, TLS_PORT, WS_PORT, WSS_PORT (default 5060, 5061, 8080, 8443).
set -eu
conf=/etc/sipbots-kamailio
run=/run/kamailio
certs=${CERT_DIR:-$run}
mkdir -p "$run"
listen_ip=${LISTEN_IP:-$(hostname -i | awk '{print $1}')}

if [ ! -s "$certs/lab.test.crt" ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 365 \
    -keyout "$certs/lab.test.key" -out "$certs/lab.test.crt" -subj "/CN=lab.test" \
    -addext "subjectAltName=IP:127.0.0.1,IP:$listen_ip,DNS:lab.test,DNS:kamailio" 2>/dev/null
fi
sed "s|@CERT_DIR@|$certs|g" "$conf/tls.cfg" > "$run/tls.cfg"
"$conf/render-users.sh" "$conf/users.txt" > "$run/users.inc.cfg"

# fr_timer above fr_inv_timer delays the 408 on TCP/TLS/WS (see kamailio.cfg, tm): cap it.
fr_inv_timer=${FR_INV_TIMER:-120000}
fr_timer=${FR_TIMER:-5000}
[ "$fr_timer" -le "$fr_inv_timer" ] || fr_timer=$fr_inv_timer

cd "$run"  # kamailio.cfg includes users.inc.cfg from the working directory
exec kamailio -f "$conf/kamailio.cfg" -w "$run" -Y "$run" -P "$run/kamailio.pid" -DD -E \
  -m "${KAMAILIO_SHM_MB:-256}" -M 8 --alias="${KAMAILIO_ALIAS:-kamailio}" \
  -A "LISTEN_IP=$listen_ip" -A "SIP_PORT=${SIP_PORT:-5060}" -A "TLS_PORT=${TLS_PORT:-5061}" \
  -A "WS_PORT=${WS_PORT:-8080}" -A "WSS_PORT=${WSS_PORT:-8443}" -A "FR_INV_TIMER=$fr_inv_timer" -A "FR_TIMER=$fr_timer" \
  -A "TLS_CFG=\"$run/tls.cfg\""
