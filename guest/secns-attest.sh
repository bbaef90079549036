#!/bin/bash
# secns-attest - a container's attestation key and evidence, on the host side
# of the guest (the container reaches neither its vTPM nor this).
#
#   secns-attest enroll DIR CHIP        make an attestation key (AK, ECC P-256,
#                                       under the endorsement key) on the vTPM
#                                       /dev/tpmrmCHIP and keep it there; its
#                                       public part goes to DIR/ak.pem. The
#                                       runtime runs this once it bound the
#                                       vTPM, before the container starts.
#   secns-attest ak CONTAINER           print the public AK of the container's
#                                       vTPM, for a verifier to record
#   secns-attest quote CONTAINER NONCE OUT
#                                       the evidence a verifier checks, in OUT:
#                                       a quote of PCR 10 (sha256) over the hex
#                                       NONCE by that AK (quote.msg, quote.sig,
#                                       quote.pcrs) and the container's binary
#                                       measurement list (list.bin), read after
#                                       the quote so it holds every entry quoted.
#                                       The verifier checks the quote with the
#                                       AK it recorded, not one handed over now.
set -euo pipefail

EK_HANDLE=0x81010001
AK_HANDLE=0x81010002
RUNTIME_STATE=/run/secns/runtime

enroll() {
	local dir=$1 tcti=device:/dev/tpmrm$2
	tpm2_createek -T "$tcti" -G ecc -c $EK_HANDLE >/dev/null
	tpm2_createak -T "$tcti" -C $EK_HANDLE -G ecc -g sha256 -s ecdsa \
		-c "$dir/ak.ctx" -u "$dir/ak.pem" -f pem >/dev/null
	tpm2_evictcontrol -T "$tcti" -C o -c "$dir/ak.ctx" $AK_HANDLE >/dev/null
	rm -f "$dir/ak.ctx"
}

# The runtime's state directory of a running container of the secns runtime
# with a vTPM.
state_of() {
	local id
	id=$(docker inspect -f '{{.Id}}' "$1")
	if ! [ -f "$RUNTIME_STATE/$id/vtpm/ak.pem" ]; then
		echo "secns-attest: container $1 has no vTPM of the secns runtime" >&2
		exit 1
	fi
	echo "$RUNTIME_STATE/$id"
}

quote() {
	local state out=$3
	state=$(state_of "$1")
	mkdir -p "$out"
	tpm2_quote -T "device:/dev/tpmrm$(cat "$state/chip")" -c $AK_HANDLE \
		-l sha256:10 -q "$2" -g sha256 \
		-m "$out/quote.msg" -s "$out/quote.sig" -o "$out/quote.pcrs" >/dev/null
	docker exec "$1" cat /run/secns/ima/binary_runtime_measurements >"$out/list.bin"
}

usage() {
	echo "usage: secns-attest enroll DIR CHIP | ak CONTAINER | quote CONTAINER NONCE OUT" >&2
	exit 2
}

case "${1:-}" in
enroll) [ $# -eq 3 ] || usage; enroll "$2" "$3" ;;
ak) [ $# -eq 2 ] || usage; state=$(state_of "$2"); cat "$state/vtpm/ak.pem" ;;
quote) [ $# -eq 4 ] || usage; quote "$2" "$3" "$4" ;;
*) usage ;;
esac
