#!/bin/sh
# Installs every Debian package kyklos needs to build, test, fuzz and run its
# benchmarks.  Idempotent: does nothing when all are present.  Runs apt-get
# directly as root, through sudo otherwise.
# --bench adds the peer tools of the sshd benchmark (issue 3, task A:
# scripts/bench_sshd.sh): syslog-ng, SEC, fail2ban, without starting their
# services.
set -eu

PKGS="meson ninja-build pkg-config
libssl-dev libevent-dev libcurl4-openssl-dev libjansson-dev libfyaml-dev
libvectorscan-dev libpcre2-dev libsqlite3-dev libzstd-dev libp11-kit-dev
libcmocka-dev softhsm2 sqlite3 openssl clang clang-format
liblognorm-utils python3"
name=install-deps
bench=""
if [ "${1:-}" = "--bench" ]; then
	# syslog-ng-core holds the daemon, patterndb and grouping-by (the
	# benchmark runs it in the foreground); time gives /usr/bin/time for
	# user+sys CPU figures; bc for ratios; valgrind for the instruction
	# counts of bench/bundle_instr.py.
	PKGS="syslog-ng-core sec fail2ban time bc python3 valgrind"
	name=install-bench-deps
	bench=1
fi

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

if [ -z "$missing" ]; then
	echo "$name: all packages present"
	exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "$name: need root or sudo to install:$missing" >&2
	exit 1
fi

echo "$name: installing$missing"
$SUDO apt-get update -q
# Installing fail2ban or syslog-ng must not start their services on the
# machine running the benchmark: policy-rc.d refuses starts for this apt run
# when there is no policy already (containers often have none).
policy=/usr/sbin/policy-rc.d
made_policy=""
if [ -n "$bench" ] && [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
	$SUDO chmod 755 "$policy"
	made_policy=1
fi
rc=0
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q \
	--no-install-recommends $missing || rc=$?
if [ -n "$made_policy" ]; then
	$SUDO rm -f "$policy"
fi
exit $rc
