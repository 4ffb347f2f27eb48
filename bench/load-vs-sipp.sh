#!/usr/bin/env bash
# sipbots load vs SIPp through the same Kamailio on loopback, with the same callee (npm run bench:load).
#
#   bench/load-vs-sipp.sh
#
# Starts Kamailio tuned for load (4 children from docker/kamailio, -m 1024), raises the UDP
# socket buffer defaults to 4 MB when run as root (restored on exit), then runs
# bench/load-vs-sipp.ts, which prints JSON lines:
#   calls      SIPp (uac-auth.xml) and `sipbots load --callee-uri sip:u0200@lab.test`, callers
#              u0001..u0198, call u0200 through Kamailio; u0200 is first a registered SIPp
#              uas-answer.xml, then sipbots' load-mode UAS (a separate `sipbots load` process).
#              Rates stepped to each tool's knee (< 0.1 % failed), runs alternating, medians;
#              CPU s per 1,000 calls of the caller process, of Kamailio and of the callee.
#   latency    each callee, half the lower knee: INVITE with credentials -> 200 per Call-ID
#              from a tcpdump of lo during a window of the run (both tools), and sipbots' own
#              histogram.
#   overload   each callee, 1.3 x sipbots' knee offered to both tools (needs the calls phase, or
#              LOAD_BENCH_OVERLOAD_RATE): failed calls and Kamailio's CPU, runs alternating, medians.
#   register   SIPp register.xml vs `sipbots load --scenario register`, digest every time:
#              CPU per 1,000, wire p99 (REGISTER with credentials -> 200).
#   memory     200 calls/s held 10 s (2,000 concurrent), RSS of both callers sampled every 1 s.
#   soak       half the knee for LOAD_BENCH_SOAK_S, RSS sampled every 10 s.
# Environment (defaults): LOAD_BENCH_RUNS (3), LOAD_BENCH_STEP_S (4), LOAD_BENCH_HOLD_S (1),
# LOAD_BENCH_RATES (500,1000,1500,2000,2500,3000,3500,4000,5000), LOAD_BENCH_CALLEES
# (sipp-uas,sipbots-uas), LOAD_BENCH_PHASES (calls,latency,overload,register,memory,soak),
# LOAD_BENCH_LATENCY_S (8), LOAD_BENCH_LATENCY_WINDOW_S (2), LOAD_BENCH_LATENCY_RATE (half the
# knee), LOAD_BENCH_REGISTER_RATE (4000), LOAD_BENCH_REGISTER_S (4), LOAD_BENCH_MEMORY_RATE
# (200), LOAD_BENCH_MEMORY_HOLD_S (10), LOAD_BENCH_MEMORY_S (20), LOAD_BENCH_SOAK_S (600),
# LOAD_BENCH_SOAK_RATE (half the knee with the SIPp UAS), LOAD_BENCH_OVERLOAD_RATE (1.3 x sipbots' knee).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
# shellcheck source=support/load-kamailio.sh
source "$here/support/load-kamailio.sh"
start_load_kamailio load-vs-sipp sipp tcpdump
cd "$repo"
KAMAILIO_PORT=$port KAMAILIO_PID=$pid npx --no-install tsx bench/load-vs-sipp.ts
