#!/bin/bash
# secns-fixtures - set up what the IMA namespace scenarios use in the guest.
#
#   secns-fixtures docker-ready      wait for dockerd, import secns/bench once
#   secns-fixtures files             keys, signed/unsigned binaries, policies
#                                    in /root/secns/ns (the containers' /ns),
#                                    and secns-runtime's settings in /etc/secns
#   secns-fixtures rootless          the files an unprivileged user's
#                                    container uses, in /var/lib/secns/rootless
#   secns-fixtures runtime CONF ARGS docker run --runtime secns secns/bench ARGS,
#                                    with /ns read-only and the settings
#                                    /etc/secns/CONF (none when CONF is "")
#   secns-fixtures bundle CONF ARGS  a plain OCI bundle in /root/secns/bundle
#                                    (runc spec, secns/bench's files) running
#                                    ARGS, with /ns and the settings CONF
#   secns-fixtures contained CONF [--detach NAME] [--volume SPEC]
#                            [--cap-add CAP] [--security-opt OPT] ARGS
#                                    the container an attack targets: with
#                                    IMA namespaces, `runtime CONF ARGS`;
#                                    without, plain runc (nothing to load
#                                    CONF into). --detach: in the background;
#                                    --volume, --cap-add, --security-opt:
#                                    as docker run's
#   secns-fixtures guarded           /root/secns/guarded/unsigned, owned by
#                                    host uid 4711, for a host policy rule
#   secns-fixtures memory            after dropping caches and a moment for
#                                    RCU to free: unreclaimable slab (KiB),
#                                    the host's count of IMA namespaces and
#                                    the cgroups removed but not yet freed
#   secns-fixtures kmemleak REGEX    two kmemleak scans; how many leaks it
#                                    reports, and how many lines of their
#                                    backtraces match REGEX (grep -E)
set -euo pipefail

NS=/root/secns/ns
SETTINGS=/etc/secns
TOOLS=/usr/local/bin
GUARDED_UID=4711

docker_ready() {
	# dockerd may take minutes on a debug kernel: the step's timeout bounds this.
	timeout 900 sh -c 'until docker info >/dev/null 2>&1; do sleep 1; done'
	docker image inspect secns/bench >/dev/null 2>&1 ||
		docker import /var/lib/secns/containers/bench.tar secns/bench >/dev/null
}

memory() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	sleep 5
	echo "slab_unreclaimable_kib=$(awk '/^SUnreclaim:/ { print $2 }' /proc/meminfo)" \
		"live_namespaces=$(cat /sys/kernel/security/ima/namespaces 2>/dev/null || echo none)" \
		"dying_cgroups=$(awk '/^nr_dying_descendants/ { print $2 }' /sys/fs/cgroup/cgroup.stat)"
}

kmemleak() {
	local pattern=$1 report=/tmp/kmemleak.txt
	# A kernel without debugfs has no kmemleak either: the test below says so.
	mountpoint -q /sys/kernel/debug ||
		mount -t debugfs none /sys/kernel/debug 2>/dev/null || true
	if [ ! -e /sys/kernel/debug/kmemleak ]; then
		echo "kmemleak: not in this kernel"
		return
	fi
	# An object is reported once it has stayed unreferenced through a scan
	# and the minimum age (5 s): two scans with a pause catch recent frees.
	echo scan >/sys/kernel/debug/kmemleak
	sleep 6
	echo scan >/sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak >"$report"
	echo "kmemleak: $(grep -c unreferenced "$report" || true) reports," \
		"$(grep -c -E "$pattern" "$report" || true) lines matching $pattern (in $report)"
}

new_key() {	# NAME: NAME.pem (private) and NAME.der (X.509 certificate)
	openssl req -new -x509 -newkey rsa:2048 -nodes -sha256 -days 30 \
		-subj "/CN=secns $1" -addext subjectKeyIdentifier=hash \
		-addext keyUsage=digitalSignature \
		-keyout "$NS/$1.pem" -outform DER -out "$NS/$1.der" 2>/dev/null
}

sign() {	# KEY FILE
	evmctl ima_sign -a sha256 --key "$NS/$1.pem" "$2" >/dev/null
}

# Made once per boot (the stamp is on /run, a tmpfs) by this version of the
# script: keys take seconds each in a TCG guest, and nothing changes them.
files() {
	local stamp=/run/secns/fixtures.stamp digest
	digest=$(sha256sum <"$0")
	if [ "$(cat "$stamp" 2>/dev/null)" = "$digest" ]; then
		return
	fi
	rm -f "$stamp"
	rm -rf "$NS" && mkdir -p "$NS"
	new_key container
	new_key stranger
	for f in signed unsigned unknown-key tampered attack1; do
		cp /bin/true "$NS/$f"
	done
	cp /bin/false "$NS/copied-signature"
	printf '#!/bin/sh\necho script ran\n' >"$NS/script.sh"
	chmod 0755 "$NS/script.sh"
	cp "$TOOLS/secns-launch" "$TOOLS/secns-exec-check" "$TOOLS/secns-setns" /bin/sleep "$NS/"
	for f in signed tampered secns-launch secns-exec-check sleep; do
		sign container "$NS/$f"
	done
	sign stranger "$NS/unknown-key"
	# Flip the last byte of the signature: the key is known, the
	# signature no longer verifies.
	local sig last
	sig=$(getfattr -n security.ima -e hex "$NS/tampered" |
		sed -n 's/^security.ima=0x//p')
	last=$(( 0x${sig:${#sig}-2} ^ 0xff ))
	setfattr -n security.ima -v "0x${sig:0:${#sig}-2}$(printf %02x $last)" \
		"$NS/tampered"
	# A valid signature, of another file: that of signed, on a copy of false.
	setfattr -n security.ima -v "0x$(getfattr -n security.ima -e hex "$NS/signed" |
		sed -n 's/^security.ima=0x//p')" "$NS/copied-signature"

	printf 'measure func=BPRM_CHECK\nappraise func=BPRM_CHECK appraise_type=imasig\n' \
		>"$NS/appraise.policy"
	# Only the execs of the container's uid 4242 are appraised: the rest runs.
	printf 'appraise func=BPRM_CHECK uid=4242 appraise_type=imasig\n' >"$NS/uid.policy"
	printf 'measure func=BPRM_CHECK\n' >"$NS/measure.policy"
	printf 'dont_appraise func=BPRM_CHECK\n' >"$NS/relax.policy"
	printf 'measure func=MMAP_CHECK mask=MAY_EXEC\n' >"$NS/mmap.policy"
	printf 'measure func=FILE_CHECK mask=MAY_READ\n' >"$NS/reads.policy"
	printf 'audit func=FILE_CHECK mask=MAY_READ\n' >"$NS/audit.policy"
	# 200 new files read by one process, none exec'd: a flood of audit records.
	printf '%s\n' 'mkdir -p "/tmp/$1" && for i in $(seq 200); do echo x >"/tmp/$1/$i"; done' \
		'for f in "/tmp/$1"/*; do read -r x <"$f"; done' >"$NS/flood.sh"
	# reads.sh DIR SECONDS: read a new file every 0.1 s for SECONDS.
	printf '%s\n' 'mkdir -p "$1" && end=$(( $(date +%s) + $2 )) && i=0' \
		'while [ "$(date +%s)" -lt "$end" ]; do' \
		'	i=$((i + 1)) && echo x >"$1/$i" && read -r x <"$1/$i" && sleep 0.1' \
		'done' 'echo "$i"' >"$NS/reads.sh"
	silence_script >"$NS/silence.sh"
	# Code on the filesystem /ns is on (ext4) must be signed however it
	# comes to run; the container image's own (overlayfs) runs unchecked.
	printf '%s func=%s fsmagic=0xef53 appraise_type=imasig\n' \
		appraise BPRM_CHECK appraise MMAP_CHECK >"$NS/ext4-code.policy"
	printf 'appraise func=NO_SUCH_HOOK\n' >"$NS/bad.policy"
	head -c 4096 /dev/urandom >"$NS/mmap.dat"
	runtime_settings
	mkdir -p "${stamp%/*}" && echo "$digest" >"$stamp"
}

# silence.sh SECONDS, run by a container's root that may nest namespaces:
# for SECONDS, spend the host's audit allowance of the users the root users
# of the runtime's first 8 id ranges (its neighbours) share, as the kernel
# hashes them (hash_32(kuid, 6)): from a uid of its own range in the same
# bucket, in 3 new namespaces (10 records each) per bucket, a round a second.
silence_script() {
	cat <<'EOF'
bucket() { echo $(( (($1 * 1640531527) & 4294967295) >> 26 )); }
read -r _ base _ </proc/self/uid_map
own=$(( (base - 16777216) / 65536 )) uids=""
for s in 0 1 2 3 4 5 6 7; do
	[ "$s" -eq "$own" ] && continue
	want=$(bucket $((16777216 + s * 65536))) u=1
	while [ "$(bucket $((base + u)))" -ne "$want" ]; do u=$((u + 1)); done
	uids="$uids $u"
done
end=$(( $(date +%s) + $1 )) n=0 failed=0
while [ "$(date +%s)" -lt "$end" ]; do
	for u in $uids $uids $uids; do
		n=$((n + 1)) && mkdir -p "/tmp/s$n" && chmod 0755 "/tmp/s$n" &&
		for i in 1 2 3 4 5 6 7 8 9 10 11; do echo x >"/tmp/s$n/$i"; done
		setpriv --reuid "$u" --regid "$u" --clear-groups -- \
			/ns/secns-launch --userns -- \
			sh -c 'for f in "$0"/*; do read -r x <"$f"; done' "/tmp/s$n" ||
			failed=$((failed + 1))
	done
	sleep 1
done
echo "uids=$uids namespaces=$n failed=$failed"
EOF
}

# Settings for secns-runtime, one file per container kind, in the one
# directory it reads them from, with the policies and the key they name.
runtime_settings() {
	rm -rf "$SETTINGS" && mkdir -p "$SETTINGS"
	cp "$NS"/*.policy "$NS/container.der" "$SETTINGS/"
	cd "$SETTINGS"
	printf 'ima.policy = appraise.policy\nima.key = container.der\n' >appraise.conf
	printf '# measured, with a vTPM of its own\nima.policy = measure.policy\nima.vtpm = yes\n' \
		>measure-vtpm.conf
	printf 'ima.policy = measure.policy\n' >measure.conf
	printf 'ima.policy = ext4-code.policy\nima.key = container.der\n' >ext4-code.conf
	printf 'ima.policy = relax.policy\n' >relax.conf
	printf 'ima.policy = reads.policy\n' >reads.conf
	printf 'ima.policy = uid.policy\n' >uid.conf
	printf 'ima.strict_children = yes\n' >strict.conf
	printf 'ima.policy = measure.policy\nima.nesting = yes\n' >measure-nest.conf
	printf 'ima.policy = audit.policy\nima.nesting = yes\n' >audit-nest.conf
	printf 'ima.policy = appraise.policy\nima.key = container.der\nima.nesting = yes\n' \
		>appraise-nest.conf
	printf 'ima.strict_children = yes\n' | cat appraise-nest.conf - >appraise-strict.conf
	printf 'ima.vtpm = yes\nima.policy = bad.policy\n' >bad-policy.conf
	printf 'ima.polcy = measure.policy\n' >typo.conf
	# What the runtime must not read for a container: a file outside,
	# named directly or through a link, here a canary to look for.
	echo "canary-7c1e outside $SETTINGS" >/root/secns/outside.policy
	printf 'ima.policy = /root/secns/outside.policy\n' >escape.conf
	ln -s /root/secns/outside.policy outside.policy
	printf 'ima.policy = outside.policy\n' >escape-link.conf
	cd - >/dev/null
}

# What `files` made, where a user other than root reaches it, with the
# signatures (security.ima) kept; and a mount point for the namespace's files.
rootless() {
	local dir=/var/lib/secns/rootless
	rm -rf "$dir" && mkdir -p "$dir/ima"
	cp -a "$NS"/. "$dir"/
	rm -f "$dir"/*.pem
	chmod -R a+rX "$dir"
}

# A container of the secns runtime: its own user and IMA namespaces, set
# up from outside; Docker's default capabilities, none in the host's user
# namespace.
runtime() {
	local conf=$1
	shift
	docker run --rm --runtime secns --network none \
		${conf:+-e SECNS_CONFIG="$conf"} -v "$NS":/ns:ro secns/bench "$@"
}

bundle() {
	local conf=$1 dir=/root/secns/bundle id
	shift
	rm -rf "$dir" && mkdir -p "$dir/rootfs"
	id=$(docker create secns/bench true)
	docker export "$id" | tar -x -C "$dir/rootfs"
	docker rm "$id" >/dev/null
	(cd "$dir" && runc spec)
	python3 - "$dir/config.json" "$NS" "$conf" "$@" <<'EOF'
import json
import sys

path, ns, settings, args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
spec = json.load(open(path))
spec["process"].update(terminal=False, args=args)
spec["process"]["env"].append("SECNS_CONFIG=" + settings)
spec["mounts"].append({"destination": "/ns", "type": "bind", "source": ns,
                       "options": ["rbind", "ro"]})
json.dump(spec, open(path, "w"))
EOF
}

contained() {
	local conf=$1 opts=(--rm --network none -v "$NS":/ns:ro)
	shift
	while [ $# -ge 2 ]; do
		case $1 in
		--detach) opts+=(-d --name "$2") ;;
		--volume) opts+=(-v "$2") ;;
		--cap-add) opts+=(--cap-add "$2") ;;
		--security-opt) opts+=(--security-opt "$2") ;;
		*) break ;;
		esac
		shift 2
	done
	if [ -e /proc/self/ns/ima ]; then
		opts+=(--runtime secns ${conf:+-e SECNS_CONFIG="$conf"})
	fi
	docker run "${opts[@]}" secns/bench "$@"
}

# An unsigned binary only a host rule can name: owned by a host uid no
# container maps (GUARDED_UID), in /root/secns/guarded.
guarded() {
	local dir=/root/secns/guarded
	mkdir -p "$dir"
	cp /bin/true "$dir/unsigned"
	chown "$GUARDED_UID" "$dir/unsigned"
}

case "${1:-}" in
docker-ready) docker_ready ;;
memory) memory ;;
kmemleak) kmemleak "${2:?usage: secns-fixtures kmemleak REGEX}" ;;
files) files ;;
rootless) rootless ;;
runtime) shift; runtime "$@" ;;
bundle) shift; bundle "$@" ;;
contained) shift; contained "$@" ;;
guarded) guarded ;;
*)
	echo "usage: secns-fixtures docker-ready | files | rootless |" \
		"runtime CONF ARGS | bundle CONF ARGS | contained CONF [OPTIONS] ARGS |" \
		"guarded | memory | kmemleak REGEX" >&2
	exit 2
	;;
esac
