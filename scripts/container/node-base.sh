#!/usr/bin/env bash
# Builds the local Node 20 base image the sipbots and Kamailio images start FROM, for machines
# that reach no image registry: a `debootstrap --variant=minbase bookworm` root plus this
# machine's own Node 20 and npm, imported into podman as $NODE_BASE_IMAGE. Kept between runs:
# an image already there is reused (pass --rebuild to make it again). Run as root.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export CONTAINERS_CONF=${CONTAINERS_CONF:-$here/containers.conf}
image=${NODE_BASE_IMAGE:-localhost/sipbots-node:20-bookworm}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

if [[ ${1:-} != --rebuild ]] && podman image exists "$image"; then
  echo "node-base: $image already built (--rebuild to make it again)"
  exit 0
fi

node_bin=$(readlink -f "$(command -v node)")
major=$("$node_bin" -p 'process.versions.node.split(".")[0]')
[[ $major == 20 ]] || { echo "node-base: this machine's node is $("$node_bin" --version), Node 20 is needed" >&2; exit 1; }
npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
[[ -f $npm_dir/package.json ]] || { echo "node-base: cannot find npm's folder (from $(command -v npm))" >&2; exit 1; }

root=$(mktemp -d /var/tmp/sipbots-node-base.XXXXXX)
trap 'rm -rf "$root"' EXIT
echo "node-base: debootstrap --variant=minbase bookworm ($mirror)"
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.log" 2>&1 || { tail -20 "$root.log" >&2; rm -f "$root.log"; exit 1; }
rm -f "$root.log"

# The layout of the official node images: node and npm under /usr/local, user node = 1000.
install -m 0755 "$node_bin" "$root/usr/local/bin/node"
mkdir -p "$root/usr/local/lib/node_modules"
cp -a "$npm_dir" "$root/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
echo 'node:x:1000:1000::/home/node:/bin/sh' >>"$root/etc/passwd"
echo 'node:x:1000:' >>"$root/etc/group"
install -d -o 1000 -g 1000 "$root/home/node"
# Nothing of apt's downloads or lists is needed at run time.
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* "$root"/usr/share/man/*

tar -C "$root" -c . | podman import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["node"]' - "$image" >/dev/null 2>&1
echo "node-base: $image ($(podman run --rm "$image" node --version), npm $(podman run --rm "$image" npm --version))"
