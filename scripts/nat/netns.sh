#!/usr/bin/env bash
# The sipbots NAT test bed: three network namespaces joined by veth pairs.
#
#   home (bots)                 router (NAT)                          provider (Kamailio, bots)
#   100.64.1.2/24 ── veth ── 100.64.1.1 | 198.18.0.1 ── veth ── 198.18.0.2/24
#   default via 100.64.1.1      MASQUERADE out of the provider side    no route back to 100.64.1.0/24
#                               UDP conntrack timeouts 10 s
#
# Addresses are test-only ranges (RFC 6598 shared space inside, RFC 2544 benchmarking space
# outside); no namespace is connected to the host's own interfaces, so nothing leaves them.
#
#   scripts/nat/netns.sh up       create everything (fails if a namespace already exists: run down)
#   scripts/nat/netns.sh down     kill what runs inside, delete the namespaces; idempotent
#   scripts/nat/netns.sh status   list the namespaces, addresses, NAT rule and conntrack entries
#   scripts/nat/netns.sh check    exit 0 if namespaces can be created here (root, ip, iptables)
#
# Environment (all optional):
#   NAT_NS_PREFIX           namespace name prefix            default sipbots-nat-
#   NAT_UDP_TIMEOUT         conntrack UDP timeouts, seconds  default 10
set -euo pipefail

prefix=${NAT_NS_PREFIX:-sipbots-nat-}
home_ns=${prefix}home
router_ns=${prefix}router
provider_ns=${prefix}provider
udp_timeout=${NAT_UDP_TIMEOUT:-10}

HOME_ADDR=100.64.1.2
ROUTER_INSIDE=100.64.1.1
ROUTER_PUBLIC=198.18.0.1
PROVIDER_ADDR=198.18.0.2

die() {
  echo "netns.sh: $*" >&2
  exit 1
}

check() {
  [[ $(id -u) == 0 ]] || die "needs root (network namespaces, iptables): run as root, as CI does"
  command -v ip >/dev/null || die "ip not found: apt-get install -y iproute2"
  command -v iptables >/dev/null || die "iptables not found: apt-get install -y iptables"
  local probe="${prefix}probe$$"
  ip netns add "$probe" 2>/dev/null || die "cannot create a network namespace here (no CAP_SYS_ADMIN, or no netns support in this kernel/container)"
  ip netns del "$probe"
}

ns_exists() {
  ip netns list 2>/dev/null | awk '{print $1}' | grep -qx "$1"
}

in_ns() {
  local ns=$1
  shift
  ip netns exec "$ns" "$@"
}

up() {
  check
  for ns in "$home_ns" "$router_ns" "$provider_ns"; do
    ns_exists "$ns" && die "namespace $ns already exists: run '$0 down' first"
  done
  # From here on a failure leaves half a bed: remove it.
  trap 'echo "netns.sh: up failed, cleaning up" >&2; down >/dev/null 2>&1 || true' EXIT

  for ns in "$home_ns" "$router_ns" "$provider_ns"; do
    ip netns add "$ns"
    in_ns "$ns" ip link set lo up
  done

  # veth pairs created directly inside the namespaces: no end ever sits in the host's.
  ip link add nat-home0 netns "$home_ns" type veth peer name nat-rin0 netns "$router_ns"
  ip link add nat-rout0 netns "$router_ns" type veth peer name nat-prov0 netns "$provider_ns"

  in_ns "$home_ns" ip addr add "$HOME_ADDR/24" dev nat-home0
  in_ns "$home_ns" ip link set nat-home0 up
  # The home's default route leads to the router namespace, not to any host interface.
  in_ns "$home_ns" ip route add default via "$ROUTER_INSIDE"

  in_ns "$router_ns" ip addr add "$ROUTER_INSIDE/24" dev nat-rin0
  in_ns "$router_ns" ip addr add "$ROUTER_PUBLIC/24" dev nat-rout0
  in_ns "$router_ns" ip link set nat-rin0 up
  in_ns "$router_ns" ip link set nat-rout0 up
  in_ns "$router_ns" sysctl -qw net.ipv4.ip_forward=1

  in_ns "$provider_ns" ip addr add "$PROVIDER_ADDR/24" dev nat-prov0
  in_ns "$provider_ns" ip link set nat-prov0 up

  # The home router: source NAT to its public address; nothing may be opened from outside
  # except replies to what home sent (no port forwards).
  in_ns "$router_ns" iptables -t nat -A POSTROUTING -o nat-rout0 -j MASQUERADE
  in_ns "$router_ns" iptables -A FORWARD -i nat-rin0 -o nat-rout0 -j ACCEPT
  in_ns "$router_ns" iptables -A FORWARD -i nat-rout0 -o nat-rin0 -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
  in_ns "$router_ns" iptables -P FORWARD DROP
  # Short UDP timeouts (Linux defaults: 30 s unreplied, 120 s stream) so that bindings expire
  # during a test. These sysctls are per namespace and exist once conntrack is in use there.
  in_ns "$router_ns" sysctl -qw net.netfilter.nf_conntrack_udp_timeout="$udp_timeout"
  in_ns "$router_ns" sysctl -qw net.netfilter.nf_conntrack_udp_timeout_stream="$udp_timeout"

  in_ns "$home_ns" ip route get "$PROVIDER_ADDR" >/dev/null || die "home has no route to the provider"
  trap - EXIT
  cat <<EOT
NAT_HOME_NS=$home_ns
NAT_ROUTER_NS=$router_ns
NAT_PROVIDER_NS=$provider_ns
NAT_HOME_ADDR=$HOME_ADDR
NAT_PUBLIC_ADDR=$ROUTER_PUBLIC
NAT_PROVIDER_ADDR=$PROVIDER_ADDR
NAT_UDP_TIMEOUT=$udp_timeout
EOT
}

down() {
  local ns pid
  for ns in "$home_ns" "$provider_ns" "$router_ns"; do
    ns_exists "$ns" || continue
    # Only processes started inside our own namespaces (bots, Kamailio of a failed run).
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -TERM "$pid" 2>/dev/null || true; done
    for _ in $(seq 1 20); do
      [[ -z $(ip netns pids "$ns" 2>/dev/null) ]] && break
      sleep 0.1
    done
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
    ip netns del "$ns"
  done
  echo "netns.sh: down"
}

status() {
  local ns
  for ns in "$home_ns" "$router_ns" "$provider_ns"; do
    if ! ns_exists "$ns"; then
      echo "$ns: absent"
      continue
    fi
    echo "== $ns"
    in_ns "$ns" ip -brief addr
  done
  if ns_exists "$router_ns"; then
    echo "== NAT rules"
    in_ns "$router_ns" iptables -t nat -S POSTROUTING
    if command -v conntrack >/dev/null; then
      echo "== conntrack (UDP)"
      in_ns "$router_ns" conntrack -L -p udp 2>/dev/null || true
    fi
  fi
}

case ${1:-} in
  up) up ;;
  down) down ;;
  status) status ;;
  check) check && echo "netns.sh: namespaces can be created" ;;
  *)
    echo "usage: $0 up|down|status|check" >&2
    exit 2
    ;;
esac
