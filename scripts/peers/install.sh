#!/usr/bin/env bash
# Install the real SIP peers used by sipbots' interop tests (Debian 12 / bookworm).
# Idempotent: packages already installed are skipped; `apt-get update` runs at most once.
# Must run as root (or through sudo).
set -euo pipefail

PACKAGES=(
  kamailio
  kamailio-websocket-modules
  kamailio-tls-modules
  kamailio-extra-modules
  kamailio-utils-modules
  sip-tester      # SIPp 3.6.1 (no TLS/WS in Debian's build)
  rtpengine-daemon  # media relay beside Kamailio (userspace forwarding, no kernel module)
  baresip         # headless callee; --no-install-recommends keeps GTK/X11/gstreamer out
  linphone-cli    # linphonec: a real softphone (no Contact in its 180) calling and called by bots, headless
  tshark
  openssl
  tcpdump         # capture tests: sipbots ladder on a real tcpdump capture of a SIPp call
  sngrep          # capture tests: signaling.pcapng read through libpcap, dialogs and message counts
  tmux            # capture tests: sngrep's call list read from a detached terminal
  chromium        # capture tests: report.html rendered headless
  fonts-noto-cjk  # Noto Sans CJK: the report's Chinese (--lang zh) renders as text, not boxes
  dnsmasq-base    # RFC 3263 tests: an authoritative NAPTR/SRV/AAAA/A server for lab.test on 127.0.0.x (binary only, no service)
  iptables        # NAT test bed (test/nat): MASQUERADE in a network namespace
  iproute2
  conntrack
  podman          # scripts/container: build and run the sipbots and Kamailio images (runc, cgroupfs)
  runc
  debootstrap     # the local Node 20 base image (no image registry is reachable)
  podman-compose  # docker/compose.yaml brought up with podman
)

if [[ $(id -u) -ne 0 ]]; then
  echo "install.sh: run as root (e.g. sudo $0)" >&2
  exit 1
fi

is_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q '^install ok installed$'
}

missing=()
for pkg in "${PACKAGES[@]}"; do
  is_installed "$pkg" || missing+=("$pkg")
done

# kubectl (its built-in kustomize renders deploy/kubernetes): any kubectl will do; without one,
# Debian's kubernetes-client brings it.
command -v kubectl >/dev/null || is_installed kubernetes-client || missing+=(kubernetes-client)

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install.sh: all peers already installed: ${PACKAGES[*]}"
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
# tshark's postinst asks whether non-root users may capture; answer "no" without a prompt.
echo 'wireshark-common wireshark-common/install-setuid boolean false' | debconf-set-selections

echo "install.sh: installing: ${missing[*]}"
apt-get update
apt-get install -y --no-install-recommends "${missing[@]}"

echo "install.sh: installed:"
for pkg in "${missing[@]}"; do
  printf '  %-32s %s\n' "$pkg" "$(dpkg-query -W -f='${Version}' "$pkg")"
done
