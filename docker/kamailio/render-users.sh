#!/bin/sh
# Render users.txt (`user=password` lines, `#` comments) as Kamailio config statements
# that fill the htable "users"; kamailio.cfg includes the output as users.inc.cfg.
# Usage: render-users.sh users.txt > users.inc.cfg
set -eu
awk -F= '
  /^[[:space:]]*(#|$)/ { next }
  NF < 2 || $1 !~ /^[A-Za-z0-9._~+-]+$/ || $0 ~ /["\\]/ {
    printf "render-users.sh: %s:%d: bad line (want user=password, no quotes or backslashes)\n", FILENAME, FNR > "/dev/stderr"
    bad = 1; next
  }
  { user = $1; sub(/^[^=]*=/, ""); printf "\t$sht(users=>%s) = \"%s\";\n", user, $0 }
  END { exit bad }
' "$1"
