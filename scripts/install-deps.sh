#!/bin/sh
# Installs every Debian package kyklos needs to build, test, fuzz and run its
# benchmarks.  Idempotent: does nothing when all are present.  Runs apt-get
# directly as root, through sudo otherwise.
set -eu

PKGS="meson ninja-build pkg-config
libssl-dev libevent-dev libcurl4-openssl-dev libjansson-dev libfyaml-dev
libvectorscan-dev libpcre2-dev libsqlite3-dev libzstd-dev libp11-kit-dev
libcmocka-dev softhsm2 sqlite3 openssl clang clang-format
liblognorm-utils python3"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

if [ -z "$missing" ]; then
	echo "install-deps: all packages present"
	exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "install-deps: need root or sudo to install:$missing" >&2
	exit 1
fi

echo "install-deps: installing$missing"
$SUDO apt-get update -q
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing
