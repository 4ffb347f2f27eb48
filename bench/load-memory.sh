#!/usr/bin/env bash
# Memory of `sipbots load` over a long run (npm run bench:load-memory), issue 17:
#   1. 240,000 REGISTERs at 4,000/s through Kamailio under --max-old-space-size=64: must complete;
#   2. a soak: REGISTERs at LOAD_MEMORY_SOAK_RATE (2,000/s) for LOAD_MEMORY_SOAK_S (600 s), RSS and
#      heap sampled every 10 s; memory must follow concurrency, so minute 10 is within 10 % of minute 2.
# Starts Kamailio (docker/kamailio, users u0001..u0200), raises the UDP socket buffer defaults to
# Kamailio's maximum when run as root (restored on exit), then runs bench/load-memory.ts.
# Environment: LOAD_MEMORY_REGISTERS (240000), LOAD_MEMORY_RATE (4000), LOAD_MEMORY_HEAP_MB (64),
# LOAD_MEMORY_CONCURRENCY (the load's default cap),
# LOAD_MEMORY_SOAK_RATE (2000), LOAD_MEMORY_SOAK_S (600; 0 skips the soak).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
# shellcheck source=support/load-kamailio.sh
source "$here/support/load-kamailio.sh"
start_load_kamailio load-memory
cd "$repo"
KAMAILIO_PORT=$port LOAD_MEMORY_DIR=$state_dir npx --no-install tsx bench/load-memory.ts
