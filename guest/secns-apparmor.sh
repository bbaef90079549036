#!/bin/bash
# secns-apparmor TEST... - run each of AppArmor's regression tests TEST (e.g.
# namespaces, for namespaces.sh) from /opt/apparmor-tests, as their Makefile's
# `tests` target would, and report each in KTAP: its output indented by "# ", its
# checks counted in a "# # Totals:" line, then "ok N TEST", "ok N TEST # SKIP"
# (the script found a kernel or parser feature missing and ran nothing) or
# "not ok N TEST # exit S" (S: the number of failed checks; 127 a fatal error).
#
#   AA_TIMEOUT   seconds per test (default 900)
set -uo pipefail

dir=/opt/apparmor-tests
[ $# -gt 0 ] || { echo "usage: secns-apparmor TEST..." >&2; exit 2; }

n=0
for test in "$@"; do
	n=$((n + 1))
	if [ ! -f "$dir/$test.sh" ]; then
		echo "# $dir/$test.sh: no such test in this tree"
		echo "not ok $n $test # missing"
		continue
	fi
	out=$(cd "$dir" && VERBOSE=1 timeout "${AA_TIMEOUT:-900}" bash "$test.sh" 2>&1)
	status=$?
	printf '%s\n' "$out" | sed 's/^/# /'
	# VERBOSE prints "ok: " per check passed, "Error: " per check failed, and
	# "xpass: "/"xfail: " for checks marked as known problems.
	printf '%s\n' "$out" | awk '
		/^ok: / { p++ } /^Error: / { f++ } /^x(pass|fail): / { x++ }
		END { printf "# # Totals: pass:%d fail:%d xfail:%d\n", p, f, x }'
	if [ $status -eq 0 ] && printf '%s\n' "$out" | grep -q 'Skipping tests'; then
		echo "ok $n $test # SKIP"
	elif [ $status -eq 0 ]; then
		echo "ok $n $test"
	else
		echo "not ok $n $test # exit $status"
	fi
done
echo "# apparmor: $n tests from $dir"
