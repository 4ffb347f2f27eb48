#!/usr/bin/env bash
# Brings up docker/compose.yaml with podman-compose: the Kamailio container (built here from
# the local Debian base and Debian's kamailio packages) and the sipbots container, which runs
# the lab against it; passes when the lab passes every case. Both are on the host's network with
# Kamailio on 127.0.0.1 and free ports. Called by .ci/run after image.sh; run as root.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
export CONTAINERS_CONF=${CONTAINERS_CONF:-$here/containers.conf}
export NODE_IMAGE=${NODE_BASE_IMAGE:-localhost/sipbots-node:20-bookworm}
export DEBIAN_IMAGE=${DEBIAN_BASE_IMAGE:-localhost/sipbots-debian:bookworm}
# Debian's podman-compose (a module of Debian's python3), its network_mode bug worked around.
compose=(/usr/bin/python3 "$here/podman-compose.py" -f "$repo/docker/compose.yaml")

"$here/node-base.sh"
# The images compose.yaml names, built with podman directly: podman-compose cannot lend the
# build the host's network and CA bundle that npm ci and apt-get need here.
podman image exists localhost/sipbots:ci || "$here/image.sh"
podman tag localhost/sipbots:ci localhost/sipbots:local
echo "compose: building the Kamailio image on $DEBIAN_IMAGE"
podman build --quiet --network host --build-arg BASE_IMAGE="$DEBIAN_IMAGE" \
  -t localhost/sipbots-kamailio:local "$repo/docker/kamailio" >/dev/null

# Four free loopback ports (SIP over UDP and TCP share one).
read -r SIP_PORT TLS_PORT WS_PORT WSS_PORT < <(python3 - <<'PY'
import socket
ports, held = [], []
while len(ports) < 4:
    t = socket.socket(); t.bind(("127.0.0.1", 0)); port = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", port)); ports.append(port); held += [t, u]
    except OSError:
        t.close(); u.close()
print(*ports)
PY
)
export SIP_PORT TLS_PORT WS_PORT WSS_PORT

cleanup() { "${compose[@]}" down >/dev/null 2>&1 || true; }
trap cleanup EXIT
# (stderr too: podman cannot arm healthcheck timers without systemd, and says so; harmless.)
"${compose[@]}" up -d kamailio >/dev/null 2>&1
# podman-compose 1.0 starts services in order but does not wait for health: wait here.
hex=$(printf '%04X' "$SIP_PORT")
for _ in $(seq 60); do grep -qi ":$hex " /proc/net/tcp && break; sleep 0.5; done
grep -qi ":$hex " /proc/net/tcp || { podman logs docker_kamailio_1 >&2 || true; echo "compose: Kamailio did not start" >&2; exit 1; }
echo "compose: Kamailio on 127.0.0.1:$SIP_PORT, running the lab in the sipbots container"

# -T: no pseudo-terminal, so the lab prints plain case lines (on a terminal it draws a live line).
out=$("${compose[@]}" run -T --rm sipbots 2>&1) || { echo "$out" >&2; echo "compose: the lab failed against Kamailio" >&2; exit 1; }
echo "$out" | grep -E '^(PASS|FAIL|[0-9]+/[0-9]+ cases)'
echo "$out" | grep -qE '^([0-9]+)/\1 cases passed' || { echo "$out" >&2; echo "compose: expected every lab case to pass" >&2; exit 1; }
