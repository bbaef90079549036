#!/bin/bash
# secns-ltp RUNTEST - run each test of LTP's runtest file RUNTEST (e.g. ima) from
# /opt/ltp, as LTP's runner would, and report each in KTAP: its output indented
# by "# ", LTP's summary as a "# # Totals:" line, then "ok N NAME" (exit 0),
# "ok N NAME # SKIP" (32: every check TCONF) or "not ok N NAME # exit S".
#
#   LTP_DEV       the block device LTP formats for tests that want a fresh
#                 filesystem (default /dev/vdb, the harness's scratch disk)
#   LTP_TIMEOUT   seconds per test (default 600)
set -uo pipefail

LTPROOT=/opt/ltp
runtest=$LTPROOT/runtest/${1:?usage: secns-ltp RUNTEST}
export LTPROOT PATH="$LTPROOT/testcases/bin:$PATH" LTP_DEV=${LTP_DEV:-/dev/vdb}
export TMPDIR=/tmp LTP_COLORIZE_OUTPUT=0

n=0
while read -r name command; do
	case $name in '' | '#'*) continue ;; esac
	n=$((n + 1))
	out=$(cd "$LTPROOT/testcases/bin" && timeout "${LTP_TIMEOUT:-600}" sh -c "$command" 2>&1)
	status=$?
	printf '%s\n' "$out" | sed 's/^/# /'
	printf '%s\n' "$out" | awk '
		/^passed/ { p = $2 } /^failed/ { f = $2 } /^broken/ { b = $2 }
		/^skipped/ { s = $2 } /^warnings/ { w = $2 }
		END { if (p != "") printf "# # Totals: pass:%d fail:%d broken:%d skip:%d warn:%d\n", p, f, b, s, w }'
	case $status in
	0) echo "ok $n $name" ;;
	32) echo "ok $n $name # SKIP" ;;
	*) echo "not ok $n $name # exit $status" ;;
	esac
done <"$runtest"
echo "# ltp: $n tests from $runtest"
