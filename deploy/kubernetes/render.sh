#!/bin/sh
# Renders the Kubernetes manifests of one sharded load run to stdout.
#   deploy/kubernetes/render.sh load  SHARDS IMAGE RUN   ConfigMap, results PVC, Indexed Job
#   deploy/kubernetes/render.sh merge SHARDS IMAGE RUN   the Job that merges the shard results
# SHARDS: 1..1000 pods; IMAGE: the pushed sipbots image; RUN: a name for this run
# ([a-z0-9-], at most 40 characters; it names the Jobs and the result files).
# The load itself comes from the environment (defaults in brackets):
#   SIP_PROXY [kamailio:5060]  SIP_TRANSPORT [udp]  LOAD_SCENARIO [call]
#   LOAD_ACCOUNTS [u{0001..0200}@lab.test]  LOAD_RATE [300] (calls/s, whole run)
#   LOAD_CALLS [18000] (whole run)  LOAD_HOLD_S [1]  LOAD_THRESHOLDS ['failed<0.1%'] (merge; space-separated)
set -euf  # -f: no globbing (thresholds hold < and >, accounts { })
here=$(cd "$(dirname "$0")" && pwd)
usage() { echo "usage: render.sh load|merge SHARDS IMAGE RUN" >&2; echo "render.sh: $1" >&2; exit 2; }
[ $# -eq 4 ] || usage "expected 4 arguments, got $#"
what=$1 shards=$2 image=$3 run=$4
case $what in load | merge) ;; *) usage "first argument must be load or merge, not '$what'" ;; esac
case $shards in '' | *[!0-9]* | 0*) usage "SHARDS must be a whole number 1..1000, not '$shards'" ;; esac
[ "$shards" -le 1000 ] || usage "SHARDS must be at most 1000, not $shards"
case $image in '' | *[!A-Za-z0-9._:/@-]*) usage "IMAGE must be an image reference such as registry.example.com/sipbots:0.1.0, not '$image'" ;; esac
case $run in '' | -* | *- | *[!a-z0-9-]*) usage "RUN must be lower-case letters, digits and inner dashes, not '$run'" ;; esac
[ ${#run} -le 40 ] || usage "RUN must be at most 40 characters"

# Values end up inside double-quoted YAML strings and sed replacements: refuse what would break either.
for name in SIP_PROXY SIP_TRANSPORT LOAD_SCENARIO LOAD_ACCOUNTS LOAD_RATE LOAD_CALLS LOAD_HOLD_S LOAD_THRESHOLDS; do
  eval "value=\${$name-}"
  case $value in *[\"\\\|\&]*) usage "$name must not contain \" \\ | or &" ;; esac
done

shard_files=$(i=0; while [ "$i" -lt "$shards" ]; do printf '%s"/results/%s-shard-%d.json"' "${sep-}" "$run" "$i"; sep=', '; i=$((i + 1)); done)
thresholds=$(for t in ${LOAD_THRESHOLDS-'failed<0.1%'}; do printf '%s"%s"' "${sep-}" "$t"; sep=', '; done)
[ -n "$thresholds" ] || usage "LOAD_THRESHOLDS must hold at least one threshold"

sed -e "s|@SHARDS@|$shards|g" -e "s|@IMAGE@|$image|g" -e "s|@RUN@|$run|g" \
  -e "s|@SIP_PROXY@|${SIP_PROXY:-kamailio:5060}|g" -e "s|@SIP_TRANSPORT@|${SIP_TRANSPORT:-udp}|g" \
  -e "s|@LOAD_SCENARIO@|${LOAD_SCENARIO:-call}|g" -e "s|@LOAD_ACCOUNTS@|${LOAD_ACCOUNTS:-u{0001..0200\}@lab.test}|g" \
  -e "s|@LOAD_RATE@|${LOAD_RATE:-300}|g" -e "s|@LOAD_CALLS@|${LOAD_CALLS:-18000}|g" -e "s|@LOAD_HOLD_S@|${LOAD_HOLD_S:-1}|g" \
  -e "s|@SHARD_FILES@|$shard_files|g" -e "s|@THRESHOLDS@|$thresholds|g" \
  "$here/templates/$what.yaml"
