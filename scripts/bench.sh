#!/bin/bash
# Benchmarks (`make bench`): runs BUILD/bench/bench_ingest, then times
# Debian's lognormalizer (liblognorm) on the same sshd lines with
# bench/lognorm/sshd.rulebase and prints our ratio against it; then
# BUILD/bench/bench_ioc (issue 3, task B) and `grep -F -f` on the events and
# indicators it writes; then BUILD/bench/bench_sigma (issue 3, task C: all
# SigmaHQ rules, its parse floor and naive peer run inside it); then
# BUILD/bench/bench_exposure (issue 4: inventory x advisories, its naive
# floor inside it); then BUILD/bench/bench_ledger (issue 5: appends and
# proofs, the SHA-256 floor inside it); then bench/sync.py (issue 6: two
# daemons syncing over mutual TLS, a plain TLS copy as the floor).  Builds
# nothing.
# Usage: scripts/bench.sh BUILDDIR [bench_ingest options...]
# Environment: BENCH_ONLY=ingest|ioc|sigma|exposure|ledger|sync|bundle runs one part;
# BENCH_SYNC_ARGS are bench/sync.py options (e.g. "-n 50000 -m 200");
# BENCH_LEDGER_ARGS are bench_ledger options (e.g. "-n 10000000"); BENCH_IOC_ARGS and
# BENCH_SIGMA_ARGS are extra bench_ioc / bench_sigma options (e.g.
# "-n 100000 -r 1").
set -euo pipefail

build=${1:?usage: scripts/bench.sh BUILDDIR [bench_ingest options]}
shift
root=$(cd "$(dirname "$0")/.." && pwd)
bench="$build/bench/bench_ingest"
rulebase="$root/bench/lognorm/sshd.rulebase"
runs=3

only=${BENCH_ONLY:-}
for b in "$bench" "$build/bench/bench_ioc" "$build/bench/bench_sigma" \
	"$build/bench/bench_exposure" "$build/bench/bench_ledger"; do
	[ -x "$b" ] || {
		echo "bench: $b not built (run: ninja -C $build)" >&2
		exit 2
	}
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo |
	cut -d: -f2- | sed 's/^ *//'), $(uname -sr)"
echo "command: ${BENCH_ONLY:+BENCH_ONLY=$BENCH_ONLY }${BENCH_IOC_ARGS:+BENCH_IOC_ARGS=\"$BENCH_IOC_ARGS\" }${BENCH_SIGMA_ARGS:+BENCH_SIGMA_ARGS=\"$BENCH_SIGMA_ARGS\" }scripts/bench.sh $build $*"
rc=0

# ---- ingestion (issue 2): bench_ingest, then lognormalizer
ingest() {
	"$bench" --write "$work" "$@" | tee "$work/bench.out" || rc=$?
	# The JSON file is only for outside tools; free the space now.
	rm -f "$work/events.json"

	if ! command -v lognormalizer >/dev/null; then
		echo "lognormalizer: not installed (Debian liblognorm-utils); skipped"
		return 0
	fi

	lines=$(wc -l <"$work/sshd.log")
	mb=$(stat -c %s "$work/sshd.log")
	# Correctness first, untimed: every line parsed, one source.ip per line
	# that has an address (the same check bench_ingest makes on kyklos).
	lognormalizer -r "$rulebase" -e json <"$work/sshd.log" >"$work/ln.json"
	unparsed=$(grep -c '"unparsed-data"' "$work/ln.json" || true)
	with_ip=$(grep -c '"source": { "ip"' "$work/ln.json" || true)
	want_ip=$(sed -n 's/.*; \([0-9]*\) with an address.*/\1/p' "$work/bench.out")
	rm -f "$work/ln.json"

	# CPU time (user+sys) of the lognormalizer process, best of $runs, with the
	# output to /dev/null as the issue asks (JSON rendering is included: it is
	# how lognormalizer hands out what it parsed).
	best=""
	for _ in $(seq "$runs"); do
		/usr/bin/time -f '%U %S %e' -o "$work/time" \
			lognormalizer -r "$rulebase" -e json <"$work/sshd.log" >/dev/null
		read -r u s e <"$work/time"
		t=$(echo "$u + $s" | bc -l)
		if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then
			best=$t
			best_wall=$e
		fi
	done

	lnver=$( (lognormalizer -V 2>&1 || true) | sed -n 's/^liblognorm version: //p')
	awk -v ver="${lnver:-?}" -v n="$lines" -v b="$mb" -v t="$best" -v w="$best_wall" \
		-v unparsed="$unparsed" -v ip="$with_ip" -v want="${want_ip:-?}" '
	BEGIN {
		if (t <= 0) t = 0.01
		printf "lognormalizer (liblognorm %s, bench/lognorm/sshd.rulebase) on the same sshd lines, best of 3, user+sys CPU\n", ver
		printf "  %-34s %9.0f ev/s %7.1f MB/s  cpu %6.3f s  wall %6.3f s\n",
			"lognormalizer -e json", n / t, b / 1e6 / t, t, w
		printf "RESULT syslog_lognormalizer events=%d eps=%.0f mbps=%.1f cpu=%.4f wall=%.4f failed=%d\n",
			n, n / t, b / 1e6 / t, t, w, unparsed
		printf "  lognormalizer check: %d unparsed, source.ip in %d (lines with an address: %s)\n",
			unparsed, ip, want
	}' | tee "$work/ln.out"

	if [ "$unparsed" != 0 ] || [ "$with_ip" != "${want_ip:-x}" ]; then
		echo "  CHECK FAILED: lognormalizer did not parse the lines as expected"
		rc=1
	fi

	awk '
	$1 == "RESULT" {
		for (i = 3; i <= NF; i++) {
			split($i, kv, "=")
			if (kv[1] == "eps") eps[$2] = kv[2]
		}
	}
	END {
		l = eps["syslog_lognormalizer"]
		if (l > 0) {
			printf "ratio kyklos/lognormalizer: record path (3164 + extraction) %.2fx, 3164 parser alone %.2fx\n",
				eps["syslog_record"] / l, eps["syslog_scan"] / l
		}
		j = eps["json_jansson"]
		if (j > 0)
			printf "ratio kyklos/jansson: JSON scanner %.2fx, record path %.2fx\n",
				eps["json_scan"] / j, eps["json_record"] / j
	}' "$work/bench.out" "$work/ln.out"
}

# ---- indicators (issue 3, task B): bench_ioc, then grep -F -f
ioc() {
	local d="$work/ioc"
	# shellcheck disable=SC2086 # word splitting of the options is wanted
	"$build/bench/bench_ioc" --write "$d" ${BENCH_IOC_ARGS:-} |
		tee "$work/ioc.out" || rc=$?
	[ -s "$d/events.json" ] || return 0
	local lines mb want best="" best_wall="" u s e t fp fn matched
	lines=$(wc -l <"$d/events.json")
	mb=$(stat -c %s "$d/events.json")
	want=$(wc -l <"$d/expected.lines")
	# Exactness first, untimed: the lines grep reports against the events
	# that must match (LC_ALL=C: bytes, as the patterns are ASCII).
	LC_ALL=C grep -n -F -f "$d/ioc.grep" "$d/events.json" |
		cut -d: -f1 >"$d/grep.lines" || true
	read -r matched fp fn < <(awk 'NR == FNR { e[$1] = 1; next }
		{ g[$1] = 1; n++; if (!($1 in e)) fp++ }
		END { for (k in e) if (!(k in g)) fn++; print n + 0, fp + 0, fn + 0 }' \
		"$d/expected.lines" "$d/grep.lines")
	echo "load average before grep: $(cut -d' ' -f1-3 /proc/loadavg)"
	# CPU time (user+sys), best of $runs.  -c with the count written to a
	# file: GNU grep stops at the first match when its output is /dev/null.
	for _ in $(seq "$runs"); do
		LC_ALL=C /usr/bin/time -f '%U %S %e' -o "$work/time" \
			grep -c -F -f "$d/ioc.grep" "$d/events.json" >"$d/grep.count" || true
		read -r u s e <"$work/time"
		t=$(echo "$u + $s" | bc -l)
		if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then
			best=$t
			best_wall=$e
		fi
	done
	awk -v ver="$(grep --version | head -1)" -v n="$lines" -v b="$mb" \
		-v t="$best" -v w="$best_wall" -v m="$matched" -v fp="$fp" \
		-v fn="$fn" -v want="$want" '
	BEGIN {
		if (t <= 0) t = 0.01
		printf "%s -F -f on the same events and indicators (ranges as their leading text, *.zone as .zone), best of 3, user+sys CPU\n", ver
		printf "  %-36s %9.0f ev/s %7.1f MB/s  cpu %6.3f s  wall %6.3f s\n",
			"grep -c -F -f ioc.grep", n / t, b / 1e6 / t, t, w
		printf "    matched lines %d (must match: %d): %d that must not, %d missed; exact: %s\n",
			m, want, fp, fn, (fp == 0 && fn == 0 && m == want) ? "yes" : "no"
		printf "RESULT ioc_grep events=%d eps=%.0f mbps=%.1f cpu=%.4f wall=%.4f matched=%d exact=%s\n",
			n, n / t, b / 1e6 / t, t, w, m, (fp == 0 && fn == 0) ? "yes" : "no"
	}' | tee "$work/grep.out"
	awk '$1 == "RESULT" {
		for (i = 3; i <= NF; i++) {
			split($i, kv, "=")
			if (kv[1] == "eps") eps[$2] = kv[2]
		}
	}
	END {
		g = eps["ioc_grep"]
		if (g > 0)
			printf "ratio kyklos/grep -F -f: %.2fx", eps["ioc_kyklos"] / g
		if (g > 0 && eps["ioc_jansson"] > 0)
			printf ", kyklos/jansson+lookup: %.2fx", eps["ioc_kyklos"] / eps["ioc_jansson"]
		if (g > 0)
			printf "\n"
	}' "$work/ioc.out" "$work/grep.out"
	rm -rf "$d"
}

# ---- Sigma rules (issue 3, task C): bench_sigma prints its own floor
# (parsing alone) and peer (each rule evaluated on its own) and ratios.
sigma() {
	echo "load average before bench_sigma: $(cut -d' ' -f1-3 /proc/loadavg)"
	# shellcheck disable=SC2086 # word splitting of the options is wanted
	KYKLOS_SHARED_DATA=${KYKLOS_SHARED_DATA:-$root/../shared/data} \
		"$build/bench/bench_sigma" ${BENCH_SIGMA_ARGS:-} || rc=$?
}

# ---- exposures (issue 4): bench_exposure prints its naive floor.
exposure() {
	"$build/bench/bench_exposure" || rc=$?
}

# ---- ledger (issue 5): bench_ledger prints its SHA-256 floor.
ledger() {
	# shellcheck disable=SC2086
	"$build/bench/bench_ledger" ${BENCH_LEDGER_ARGS:-} || rc=$?
}

case "$only" in
"" | ingest | ioc | sigma | exposure | ledger | sync | bundle) ;;
*)
	echo "bench: BENCH_ONLY must be ingest, ioc, sigma, exposure, ledger, sync or bundle" >&2
	exit 2
	;;
esac
if [ -z "$only" ] || [ "$only" = ingest ]; then ingest "$@"; fi
if [ -z "$only" ] || [ "$only" = ioc ]; then ioc; fi
if [ -z "$only" ] || [ "$only" = sigma ]; then sigma; fi
if [ -z "$only" ] || [ "$only" = exposure ]; then exposure; fi
if [ -z "$only" ] || [ "$only" = ledger ]; then ledger; fi
# ---- sync (issue 6): two daemons on 127.0.0.1, the TLS copy floor inside
if [ -z "$only" ] || [ "$only" = sync ]; then
	python3 "$root/bench/sync.py" "$build/kyklos" ${BENCH_SYNC_ARGS:-} || rc=$?
fi
# ---- bundles (issue 6): 10^6 objects out and in, peak memory; zstd -d floor
if [ -z "$only" ] || [ "$only" = bundle ]; then
	python3 "$root/bench/bundle.py" "$build/kyklos" ${BENCH_BUNDLE_ARGS:-} || rc=$?
fi
exit "$rc"
