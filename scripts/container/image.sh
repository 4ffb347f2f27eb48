#!/usr/bin/env bash
# Builds docker/Dockerfile with podman on the local Node 20 base (node-base.sh), then checks the
# image: `sipbots lab` in it on the host network passes every case, it runs as a non-root user, and it
# stays under $MAX_IMAGE_MB. Called by .ci/run; run as root. Loopback traffic only.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
export CONTAINERS_CONF=${CONTAINERS_CONF:-$here/containers.conf}
base=${NODE_BASE_IMAGE:-localhost/sipbots-node:20-bookworm}
image=${SIPBOTS_IMAGE:-localhost/sipbots:ci}
max_mb=${MAX_IMAGE_MB:-350}

"$here/node-base.sh"

# npm ci in the build reaches the npm registry; a machine that trusts an extra CA (a TLS
# inspecting proxy) lends that bundle to the build, read-only, and nothing of it stays in the image.
ca_args=()
ca=${NODE_EXTRA_CA_CERTS:-${SSL_CERT_FILE:-}}
if [[ -n $ca && -f $ca ]]; then
  ca_args=(--volume "$ca:/run/sipbots-extra-ca.pem:ro" --build-arg NODE_EXTRA_CA_CERTS=/run/sipbots-extra-ca.pem)
fi
echo "image: podman build -f docker/Dockerfile (NODE_IMAGE=$base) -> $image"
podman build --quiet --network host --build-arg NODE_IMAGE="$base" "${ca_args[@]}" \
  --ignorefile "$repo/docker/Dockerfile.dockerignore" -f "$repo/docker/Dockerfile" -t "$image" "$repo" >/dev/null

user=$(podman run --rm --entrypoint id "$image" -u)
[[ $user != 0 ]] || { echo "image: runs as root" >&2; exit 1; }
echo "image: runs as uid $user"

# Ten seconds more than the lab takes; the host's network, so the embedded proxy is on loopback.
out=$(podman run --rm --network host "$image" lab) || { echo "$out" >&2; echo "image: sipbots lab failed in the image" >&2; exit 1; }
echo "$out" | tail -3
echo "$out" | grep -qE '^([0-9]+)/\1 cases passed' || { echo "image: expected every lab case to pass" >&2; exit 1; }

size_mb=$(( $(podman image inspect --format '{{.Size}}' "$image") / 1000000 ))
echo "image: $image is $size_mb MB (limit $max_mb MB)"
(( size_mb <= max_mb )) || { echo "image: larger than $max_mb MB" >&2; exit 1; }
