#!/bin/bash
# secns-fixtures - set up what the IMA namespace scenarios use in the guest.
#
#   secns-fixtures docker-ready      wait for dockerd, import secns/bench once
#   secns-fixtures files             keys, signed/unsigned binaries, policies
#                                    in /root/secns/ns (the containers' /ns),
#                                    and secns-runtime's settings in /etc/secns
#   secns-fixtures container ARGS    docker run secns/bench ARGS with /ns and
#                                    securityfs, able to create namespaces
#   secns-fixtures rootless          the files an unprivileged user's
#                                    container uses, in /var/lib/secns/rootless
#   secns-fixtures runtime CONF ARGS docker run --runtime secns secns/bench ARGS,
#                                    with /ns read-only and the settings
#                                    /etc/secns/CONF (none when CONF is "")
#   secns-fixtures bundle CONF ARGS  a plain OCI bundle in /root/secns/bundle
#                                    (runc spec, secns/bench's files) running
#                                    ARGS, with /ns and the settings CONF
set -euo pipefail

NS=/root/secns/ns
SETTINGS=/etc/secns
TOOLS=/usr/local/bin

docker_ready() {
	# dockerd may take minutes on a debug kernel: the step's timeout bounds this.
	timeout 900 sh -c 'until docker info >/dev/null 2>&1; do sleep 1; done'
	docker image inspect secns/bench >/dev/null 2>&1 ||
		docker import /var/lib/secns/containers/bench.tar secns/bench >/dev/null
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

files() {
	rm -rf "$NS" && mkdir -p "$NS"
	new_key container
	new_key stranger
	for f in signed unsigned unknown-key tampered attack1; do
		cp /bin/true "$NS/$f"
	done
	cp "$TOOLS/secns-launch" "$TOOLS/secns-exec-check" /bin/sleep "$NS/"
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

	printf 'measure func=BPRM_CHECK\nappraise func=BPRM_CHECK appraise_type=imasig\n' \
		>"$NS/appraise.policy"
	# Only the execs of the container's uid 4242 are appraised: the rest runs.
	printf 'appraise func=BPRM_CHECK uid=4242 appraise_type=imasig\n' >"$NS/uid.policy"
	printf 'measure func=BPRM_CHECK\n' >"$NS/measure.policy"
	printf 'dont_appraise func=BPRM_CHECK\n' >"$NS/relax.policy"
	printf 'measure func=MMAP_CHECK mask=MAY_EXEC\n' >"$NS/mmap.policy"
	printf 'appraise func=NO_SUCH_HOOK\n' >"$NS/bad.policy"
	head -c 4096 /dev/urandom >"$NS/mmap.dat"
	runtime_settings
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
	printf 'ima.policy = uid.policy\n' >uid.conf
	printf 'ima.strict_children = yes\n' >strict.conf
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

# A container the host's root starts, without a user namespace of its own:
# CAP_SYS_ADMIN creates namespaces, CAP_MAC_ADMIN administers them.
container() {
	docker run --rm --network none --cap-add SYS_ADMIN --cap-add MAC_ADMIN \
		--security-opt apparmor=unconfined \
		-v /sys/kernel/security:/sys/kernel/security \
		-v "$NS":/ns secns/bench "$@"
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

case "${1:-}" in
docker-ready) docker_ready ;;
files) files ;;
container) shift; container "$@" ;;
rootless) rootless ;;
runtime) shift; runtime "$@" ;;
bundle) shift; bundle "$@" ;;
*)
	echo "usage: secns-fixtures docker-ready | files | container ARGS | rootless |" \
		"runtime CONF ARGS | bundle CONF ARGS" >&2
	exit 2
	;;
esac
