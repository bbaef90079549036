#!/bin/bash
# secns-bench - guest-side set-up for the benchmark workloads.
#
#   secns-bench docker-ready         wait for dockerd, import the container images
#   secns-bench host-policy FILE     load FILE as the host's IMA policy (once per boot)
#   secns-bench has-ima-ns           exit 0 when the kernel creates IMA namespaces
#   secns-bench lmbench-start MB     container "lmbench" (secns/bench), idle, with
#                                    /scratch holding an MB MiB file for the file tests
#   secns-bench web-start [POLICY]   container "web" (secns/web) serving on the guest's
#                                    127.0.0.1:8080 (published); with POLICY, started by
#                                    the secns runtime with that policy in its own IMA
#                                    namespace and a user namespace of its own
#   secns-bench web-stop | lmbench-stop
#   secns-bench siblings N POLICY    N idle processes, each in its own IMA namespace
#                                    with POLICY (sibling containers' init processes)
#   secns-bench siblings-stop
#   secns-bench ns-alive POLICY      one such process where the kernel has IMA namespaces,
#                                    none elsewhere (stopped by siblings-stop)
#   secns-bench ns-gone              wait until no child IMA namespace is left, then
#                                    for the kernel to switch its namespace code off
#   secns-bench start-time RUNTIME N N starts of `docker run --rm --runtime RUNTIME
#                                    secns/bench true`, one after another; prints
#                                    the median, fastest, slowest and all, in ms
#
# Files the workloads share live in /root/secns/bench (ext4, not the overlay).
set -euo pipefail

DIR=/root/secns/bench
SECURITYFS=/sys/kernel/security

docker_ready() {
	timeout 900 sh -c 'until docker info >/dev/null 2>&1; do sleep 1; done'
	local name
	for name in "$@"; do
		docker image inspect "secns/$name" >/dev/null 2>&1 ||
			docker import "/var/lib/secns/containers/$name.tar" "secns/$name" >/dev/null
	done
}

host_policy() {
	# Without CONFIG_IMA_WRITE_POLICY the policy file takes one write per boot.
	cat "$1" >"$SECURITYFS/ima/policy"
}

has_ima_ns() {
	secns-launch -- true 2>/dev/null
}

lmbench_start() {
	docker_ready bench
	mkdir -p "$DIR/scratch"
	dd if=/dev/urandom of="$DIR/scratch/file" bs=1M count="$1" status=none
	docker rm -f lmbench >/dev/null 2>&1 || true
	docker run -d --name lmbench --network none -v "$DIR/scratch:/scratch" \
		secns/bench sleep infinity >/dev/null
}

# Until Apache answers a request: a connection alone may reach only Docker's proxy.
wait_http() {
	timeout 120 bash -c 'until (exec 3<>/dev/tcp/127.0.0.1/8080 &&
		printf "GET / HTTP/1.0\r\n\r\n" >&3 && grep -q "^HTTP/1.[01] 200" <&3) 2>/dev/null
	do sleep 0.5; done'
}

web_start() {
	docker_ready web
	docker rm -f web >/dev/null 2>&1 || true
	local runtime=(--runtime runc)
	if [ -n "${1:-}" ]; then
		mkdir -p /etc/secns/bench
		cp "$1" /etc/secns/bench/web.policy
		printf 'ima.policy = bench/web.policy\n' >/etc/secns/bench-web.conf
		runtime=(--runtime secns -e SECNS_CONFIG=bench-web.conf)
	fi
	# The port published, not the host's network: a container in a user
	# namespace of its own cannot mount sysfs in the host's network namespace.
	docker run -d --name web "${runtime[@]}" -p 127.0.0.1:8080:80 \
		secns/web apache2ctl -D FOREGROUND >/dev/null
	wait_http
}

siblings() {
	local n=$1 policy=$2 i
	mkdir -p "$DIR/siblings"
	for ((i = 0; i < n; i++)); do
		setsid secns-launch -p "$policy" -- sleep infinity \
			</dev/null >/dev/null 2>&1 &
		echo $! >>"$DIR/siblings/pids"
	done
	# A launcher becomes sleep (same pid) once its namespace holds the policy.
	local pid
	for pid in $(cat "$DIR/siblings/pids"); do
		until [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = sleep ]; do
			[ -e "/proc/$pid" ] || { echo "sibling $pid failed" >&2; return 1; }
			sleep 0.2
		done
	done
}

siblings_stop() {
	[ -f "$DIR/siblings/pids" ] || return 0
	xargs -r kill <"$DIR/siblings/pids" 2>/dev/null || true
	rm -f "$DIR/siblings/pids"
}

ns_alive() {
	if has_ima_ns; then
		siblings 1 "$1"
	fi
}

ns_gone() {
	siblings_stop
	local count=$SECURITYFS/ima/namespaces
	[ -e "$count" ] || return 0
	timeout 60 sh -c "until [ \"\$(cat $count)\" = 0 ]; do sleep 0.2; done"
	# The kernel turns its namespace code off a second after the last one goes.
	sleep 2
}

start_time() {
	local runtime=$1 n=$2 i start end
	docker_ready bench
	# One start first, not counted: the first after boot loads what the rest reuse.
	docker run --rm --runtime "$runtime" --network none secns/bench true
	for ((i = 0; i < n; i++)); do
		start=$(date +%s%N)
		docker run --rm --runtime "$runtime" --network none secns/bench true
		end=$(date +%s%N)
		echo $(((end - start) / 1000000))
	done | sort -n | awk '{ ms[NR] = $1; all = all (NR > 1 ? "," : "") $1 }
		END { printf "starts=%d median_ms=%s min_ms=%s max_ms=%s samples_ms=%s\n", NR,
			NR % 2 ? ms[(NR + 1) / 2] : (ms[NR / 2] + ms[NR / 2 + 1]) / 2, ms[1], ms[NR], all }'
}

mkdir -p "$DIR"
case "${1:-}" in
docker-ready) docker_ready bench web ;;
host-policy) host_policy "$2" ;;
has-ima-ns) has_ima_ns ;;
lmbench-start) lmbench_start "$2" ;;
lmbench-stop) docker rm -f lmbench >/dev/null ;;
web-start) web_start "${2:-}" ;;
web-stop) docker rm -f web >/dev/null ;;
siblings) siblings "$2" "$3" ;;
siblings-stop) siblings_stop ;;
ns-alive) ns_alive "$2" ;;
ns-gone) ns_gone ;;
start-time) start_time "$2" "$3" ;;
*)
	echo "usage: secns-bench docker-ready | host-policy FILE | has-ima-ns | lmbench-start MB |" \
		"lmbench-stop | web-start [POLICY] | web-stop | siblings N POLICY |" \
		"siblings-stop | ns-alive POLICY | ns-gone | start-time RUNTIME N" >&2
	exit 2
	;;
esac
