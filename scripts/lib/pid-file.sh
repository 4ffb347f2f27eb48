# Sourced by the scripts that run a daemon (Kamailio) from a pid file. Expects `pid_file`
# to be set by the caller.

# Prints the pid in $pid_file if that process is alive; fails otherwise.
running_pid() {
  [[ -s $pid_file ]] || return 1
  local pid
  pid=$(<"$pid_file")
  kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

# stop_by_pid_file NAME GRACE_SECONDS: SIGTERM, wait up to the grace period, then SIGKILL;
# removes the pid file. Succeeds when nothing was running.
stop_by_pid_file() {
  local name=$1 grace=$2 pid
  if ! pid=$(running_pid); then
    echo "$name: not running (no live pid in $pid_file)"
    rm -f "$pid_file"
    return 0
  fi
  kill -TERM "$pid"
  for _ in $(seq 1 $((grace * 5))); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "$name: pid $pid ignored SIGTERM for $grace s, sending SIGKILL" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pid_file"
  echo "$name: stopped pid $pid"
}
