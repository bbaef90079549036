#!/usr/bin/env bash
# Set up a Debian 12 machine for secns: the host packages (installed when run as
# root, otherwise printed as the command to run) and a Python virtualenv in .venv.
set -euo pipefail
cd "$(dirname "$0")"

APT_PACKAGES=(
  # base kernel source and what building it needs
  linux-source-6.12 build-essential bc bison flex libelf-dev libssl-dev ccache patch xz-utils
  # gawk: Kbuild checks the blacklist hash list (kernel-config/) with a gawk script
  gawk
  # guest tools: the OCI runtime links json-c statically
  libjson-c-dev
  # the kernel's selftests: clone3's link libcap statically, and their install uses rsync
  libcap-dev rsync
  # LTP's IMA tests, built when a run is given an LTP tree (--ltp-source)
  autoconf automake pkg-config
  # AppArmor's regression tests, built when a run is given an AppArmor tree
  # (--apparmor-source), link the system's libapparmor
  libapparmor-dev
  # guest image
  mmdebstrap e2fsprogs openssh-client
  # guests
  qemu-system-x86 qemu-utils swtpm swtpm-tools
  # attestation: the verifier checks a container's quote with tpm2_checkquote
  tpm2-tools
  # the harness itself
  python3 python3-venv
  # the distributed tests' loopback workers: a private sshd on 127.0.0.1 (rsync ships
  # the run's files to a worker host, as above)
  openssh-server
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    echo "bootstrap: installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    echo "bootstrap: missing Debian packages; run:" >&2
    echo "  sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 2
  fi
fi

# Debian's own interpreter, not whatever comes first on PATH: the README promises Debian 12,
# whose python3 is 3.11.2, and a newer one hides what 3.11.2 lacks.
python=${PYTHON:-/usr/bin/python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "bootstrap: $python is older than 3.11" >&2
  exit 2
fi
stamp=.venv/.secns-installed
want="$(sha256sum pyproject.toml | cut -d' ' -f1) $("$python" -c 'import sys; print(sys.version.split()[0])')"
if [[ ! -f $stamp || $(cat "$stamp") != "$want" ]]; then
  echo "bootstrap: installing Python dependencies into .venv ($python, Python ${want#* })"
  rm -rf .venv
  "$python" -m venv .venv
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -e '.[test]'
  echo "$want" > "$stamp"
fi
