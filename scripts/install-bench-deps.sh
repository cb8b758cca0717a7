#!/bin/sh
# Installs the Debian packages that the peer tools of the sshd benchmark
# (issue 3, task A: scripts/bench_sshd.sh) need: syslog-ng, SEC, fail2ban.
# Idempotent: does nothing when all are present.  apt-get as root, through
# sudo otherwise.  kyklos itself needs only scripts/install-deps.sh.
set -eu

# syslog-ng-core holds the daemon, patterndb and grouping-by (no init
# integration needed: the benchmark runs it in the foreground); time gives
# /usr/bin/time for user+sys CPU figures; bc for ratios.
PKGS="syslog-ng-core sec fail2ban time bc python3"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

if [ -z "$missing" ]; then
	echo "install-bench-deps: all packages present"
	exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "install-bench-deps: need root or sudo to install:$missing" >&2
	exit 1
fi

echo "install-bench-deps: installing$missing"
$SUDO apt-get update -q
# Installing fail2ban or syslog-ng must not start their services on the
# machine running the benchmark: policy-rc.d refuses starts for this apt run
# when there is no policy already (containers often have none).
policy=/usr/sbin/policy-rc.d
made_policy=""
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
	$SUDO chmod 755 "$policy"
	made_policy=1
fi
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q \
	--no-install-recommends $missing || rc=$?
if [ -n "$made_policy" ]; then
	$SUDO rm -f "$policy"
fi
exit "${rc:-0}"
