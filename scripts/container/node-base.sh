#!/usr/bin/env bash
# Builds the local base images the sipbots and Kamailio images start FROM, for machines that
# reach no image registry, from one `debootstrap --variant=minbase bookworm` root: that root as
# $DEBIAN_BASE_IMAGE (Kamailio's), and the root plus this machine's own Node 20 and npm as
# $NODE_BASE_IMAGE (sipbots'). Kept between runs: images already there are reused (pass
# --rebuild to make them again). Run as root.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export CONTAINERS_CONF=${CONTAINERS_CONF:-$here/containers.conf}
image=${NODE_BASE_IMAGE:-localhost/sipbots-node:20-bookworm}
debian_image=${DEBIAN_BASE_IMAGE:-localhost/sipbots-debian:bookworm}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

if [[ ${1:-} != --rebuild ]] && podman image exists "$image" && podman image exists "$debian_image"; then
  echo "node-base: $debian_image and $image already built (--rebuild to make them again)"
  exit 0
fi

node_bin=$(readlink -f "$(command -v node)")
major=$("$node_bin" -p 'process.versions.node.split(".")[0]')
[[ $major == 20 ]] || { echo "node-base: this machine's node is $("$node_bin" --version), Node 20 is needed" >&2; exit 1; }
npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
[[ -f $npm_dir/package.json ]] || { echo "node-base: cannot find npm's folder (from $(command -v npm))" >&2; exit 1; }

root=$(mktemp -d /var/tmp/sipbots-node-base.XXXXXX)
# --one-file-system: never into a /proc or /sys that a failed debootstrap left mounted.
trap 'umount -R "$root/proc" "$root/sys" 2>/dev/null; rm -rf --one-file-system "$root"' EXIT
echo "node-base: debootstrap --variant=minbase bookworm ($mirror)"
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.log" 2>&1 || { tail -20 "$root.log" >&2; rm -f "$root.log"; exit 1; }
rm -f "$root.log"
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
tar -C "$root" -c . | podman import --change 'CMD ["bash"]' - "$debian_image" >/dev/null 2>&1
echo "node-base: $debian_image"

# The layout of the official node images: node and npm under /usr/local, user node = 1000.
install -m 0755 "$node_bin" "$root/usr/local/bin/node"
mkdir -p "$root/usr/local/lib/node_modules"
cp -a "$npm_dir" "$root/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
echo 'node:x:1000:1000::/home/node:/bin/sh' >>"$root/etc/passwd"
echo 'node:x:1000:' >>"$root/etc/group"
install -d -o 1000 -g 1000 "$root/home/node"
# Documentation is not needed at run time (Kamailio's image keeps it for its packages' sake).
rm -rf "$root"/usr/share/doc/* "$root"/usr/share/man/*

tar -C "$root" -c . | podman import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["node"]' - "$image" >/dev/null 2>&1
echo "node-base: $image ($(podman run --rm "$image" node --version), npm $(podman run --rm "$image" npm --version))"
