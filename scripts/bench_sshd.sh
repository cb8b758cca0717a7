#!/bin/bash
# Benchmark task A of issue 3: 1,000,000 sshd syslog lines, flag every
# source address with >= 5 failed passwords within 60 s.  kyklos (a Sigma
# rule plus an event_count correlation, `kyklos detect`) against syslog-ng
# (patterndb + grouping-by), SEC (SingleWithThreshold) and fail2ban (its
# jail replayed on the log's time), in the same run on the same file; the
# flagged set of every tool is compared with the generator's ground truth.
# Figures: user+sys CPU of each tool's process (best of RUNS), lines/s per
# CPU second, ratios kyklos/peer.  Builds nothing; peers come from
# scripts/install-bench-deps.sh.  What is measured and why: docs/benchmarks.md.
# Usage: scripts/bench_sshd.sh BUILDDIR [-n LINES] [-r RUNS] [--seed N]
#        [--keep DIR] [--only kyklos,syslog-ng,sec,fail2ban]
set -euo pipefail

usage() {
	sed -n 's/^# Usage: //p; s/^#        //p' "$0" | sed -n 1,2p >&2
	exit 2
}
build=${1:-}
[ -n "$build" ] || usage
shift
lines=1000000
runs=3
seed=3
keep=""
only="kyklos,syslog-ng,sec,fail2ban"
while [ $# -gt 0 ]; do
	case $1 in
	-n) lines=$2; shift 2 ;;
	-r) runs=$2; shift 2 ;;
	--seed) seed=$2; shift 2 ;;
	--keep) keep=$2; shift 2 ;;
	--only) only=$2; shift 2 ;;
	*) usage ;;
	esac
done
root=$(cd "$(dirname "$0")/.." && pwd)
dir="$root/bench/sshd"
kyklos="$build/kyklos"
rule="$dir/sshd_bruteforce.yml"
# fail2ban's modules live in Debian's python, not in a pyenv one
py=/usr/bin/python3
# RFC 3164 stamps have no zone: every tool reads them as UTC
export TZ=UTC LC_ALL=C

want() { case ",$only," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }

missing=""
[ -x "$kyklos" ] || {
	echo "bench_sshd: $kyklos not built (ninja -C $build)" >&2
	exit 2
}
[ -x /usr/bin/time ] || missing="$missing time"
want syslog-ng && ! command -v syslog-ng >/dev/null && missing="$missing syslog-ng-core"
want sec && ! command -v sec >/dev/null && missing="$missing sec"
want fail2ban && ! "$py" -c 'import fail2ban' 2>/dev/null && missing="$missing fail2ban"
if [ -n "$missing" ]; then
	echo "bench_sshd: missing:$missing (run scripts/install-bench-deps.sh)" >&2
	exit 2
fi

if [ -n "$keep" ]; then
	mkdir -p "$keep"
	work=$(cd "$keep" && pwd)
else
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
fi

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo |
	cut -d: -f2- | sed 's/^ *//'), $(uname -sr)"
echo "command: scripts/bench_sshd.sh $build -n $lines -r $runs --seed $seed${only:+ --only $only}"
echo "load average at start: $(cat /proc/loadavg)"
buildtype=$(meson introspect --buildoptions "$build" 2>/dev/null | "$py" -c '
import json, sys
print([o["value"] for o in json.load(sys.stdin) if o["name"] == "buildtype"][0])' \
	2>/dev/null || echo '?')
rev=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')
git -C "$root" diff --quiet HEAD -- src 2>/dev/null || rev="$rev+changes in src/"
echo "versions: kyklos $rev ($buildtype), $(syslog-ng --version 2>/dev/null | head -1),"
echo "  $(sec -version 2>/dev/null | head -1), fail2ban $("$py" -c '
import fail2ban.version as v; print(v.version)' 2>/dev/null || echo '?'), $(perl -e 'printf "perl %vd", $^V'), $("$py" --version)"

# ---- peers' configurations with this checkout's paths
sed "s#@PATTERNDB@#$dir/syslog-ng/sshd-patterndb.xml#" \
	"$dir/syslog-ng/sshd-bruteforce.conf" >"$work/syslog-ng.conf"
mkdir -p "$work/sng"
# the detection rule alone (the first document), to check what it matches
sed '/^---$/,$d' "$rule" >"$work/detection-only.yml"

# run_tool NAME OUT: runs the tool's command with stdout to OUT (syslog-ng
# gets the log on a pipe: it cannot poll a regular file on stdin).  Sets
# cpu (user+sys), wall and rss (kB) of the tool's process alone.
run_tool() {
	local name=$1 out=$2 rc=0
	local tm=(/usr/bin/time -f '%U %S %e %M' -o "$work/time.$name")
	case $name in
	kyklos) "${tm[@]}" "$kyklos" detect -r "$rule" "$log" ;;
	syslog-ng)
		# shellcheck disable=SC2002 # a pipe, not a file, on purpose
		cat "$log" | "${tm[@]}" syslog-ng -F --no-caps \
			-f "$work/syslog-ng.conf" -R "$work/sng/persist" \
			-p "$work/sng/pid" -c "$work/sng/ctl"
		;;
	sec)
		"${tm[@]}" perl -I "$dir/sec" -MSecEventTime /usr/bin/sec \
			-conf="$dir/sec/sshd-bruteforce.sec" -input="$log" -notail
		;;
	fail2ban)
		"${tm[@]}" "$py" "$dir/fail2ban/f2b_replay.py" "$dir/fail2ban" "$log"
		;;
	esac >"$out" 2>"$work/err.$name" || rc=$?
	if [ "$rc" != 0 ]; then
		echo "bench_sshd: $name failed (exit $rc): $(tail -3 "$work/err.$name")" >&2
		return 1
	fi
	read -r u s wall rss <"$work/time.$name"
	cpu=$(echo "$u + $s" | bc -l)
}

# flagged TOOL OUT: the sorted set of addresses a tool flagged
flagged() {
	if [ "$1" = kyklos ]; then
		"$py" -c '
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    if "\"correlation\"" not in line:
        continue
    a = json.loads(line).get("correlation") or {}
    ip = (a.get("group") or {}).get("source.ip")
    if ip:
        print(ip)' "$2"
	else
		sed -n 's/^FLAGGED //p' "$2"
	fi | sort -u
}

# agree TOOL SETFILE TRUTH: prints the comparison, returns 1 on a difference
agree() {
	local n miss extra
	n=$(wc -l <"$2")
	miss=$(comm -23 "$3" "$2" | wc -l)
	extra=$(comm -13 "$3" "$2" | wc -l)
	if [ "$miss" = 0 ] && [ "$extra" = 0 ]; then
		echo "    flagged $n sources, truth $(wc -l <"$3"): same set"
		return 0
	fi
	echo "    flagged $n sources, truth $(wc -l <"$3"): DIFFERENT," \
		"$miss missed$([ "$miss" = 0 ] || echo " (e.g. $(comm -23 "$3" "$2" | head -3 | xargs))")," \
		"$extra extra$([ "$extra" = 0 ] || echo " (e.g. $(comm -13 "$3" "$2" | head -3 | xargs))")"
	return 1
}

# ---- 1. configurations checked on a small file first (untimed)
echo
echo "check on 20,000 lines (each tool's flagged set against the truth, untimed)"
log="$work/small.log"
"$py" "$dir/gen_sshd.py" -n 20000 --seed "$seed" -o "$log" \
	--truth "$work/small.truth" --stats "$work/small.stats" 2>/dev/null
small_ok=1
for t in kyklos syslog-ng sec fail2ban; do
	want "$t" || continue
	run_tool "$t" "$work/small.$t" || true
	touch "$work/small.$t"
	flagged "$t" "$work/small.$t" >"$work/small.$t.set"
	echo "  $t"
	agree "$t" "$work/small.$t.set" "$work/small.truth" && continue
	if [ "$t" = fail2ban ] && "$py" "$dir/fail2ban/f2b_model.py" "$log" 60 5 |
		sed -n 's/^FLAGGED //p' | sort -u | cmp -s - "$work/small.$t.set"; then
		echo "    = the set of fail2ban's counting rule (see below)"
	else
		small_ok=0
	fi
done

# ---- 2. the benchmark file
echo
log="$work/sshd.log"
t0=$(date +%s.%N)
"$py" "$dir/gen_sshd.py" -n "$lines" --seed "$seed" -o "$log" \
	--truth "$work/truth.txt" --stats "$work/stats.txt" 2>"$work/err.gen" || {
	cat "$work/err.gen" >&2
	exit 1
}
echo "generated in $(echo "$(date +%s.%N) - $t0" | bc -l | xargs printf '%.1f') s:" \
	"$(stat -c %s "$log" | awk '{printf "%.1f MB", $1 / 1e6}'), $(tr '\n' ' ' <"$work/stats.txt")"
nlines=$(wc -l <"$log")
nfail=$(sed -n 's/^failed_password=//p' "$work/stats.txt")
cat "$log" >/dev/null # in the page cache for every tool alike

# the detection rule alone must match exactly the "Failed password" lines
"$kyklos" detect -r "$work/detection-only.yml" "$log" >"$work/det.json" 2>"$work/err.det" || true
"$py" -c '
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    print(json.loads(line)["event"])' "$work/det.json" | sort >"$work/det.lines"
grep -F ': Failed password for ' "$log" | sort >"$work/want.lines"
ndet=$(wc -l <"$work/det.lines")
if cmp -s "$work/det.lines" "$work/want.lines"; then
	echo "kyklos detection rule alone: $ndet alerts = the $nfail 'Failed password' lines, exactly"
	det_ok=1
else
	echo "kyklos detection rule alone: $ndet alerts, $nfail 'Failed password' lines: DIFFERENT" \
		"($(comm -23 "$work/want.lines" "$work/det.lines" | wc -l) missed," \
		"$(comm -13 "$work/want.lines" "$work/det.lines" | wc -l) extra)"
	det_ok=0
fi

echo
echo "each tool on $nlines lines, best of $runs, user+sys CPU of its process:"
declare -A best bwall brss set_ok
all_ok=1
for t in kyklos syslog-ng sec fail2ban; do
	want "$t" || continue
	best[$t]=""
	for _ in $(seq "$runs"); do
		run_tool "$t" "$work/out.$t" || exit 1
		if [ -z "${best[$t]}" ] || [ "$(echo "$cpu < ${best[$t]}" | bc -l)" = 1 ]; then
			best[$t]=$cpu
			bwall[$t]=$wall
			brss[$t]=$rss
		fi
	done
	flagged "$t" "$work/out.$t" >"$work/$t.set"
	c=${best[$t]}
	[ "$(echo "$c <= 0" | bc -l)" = 1 ] && c=0.01
	awk -v t="$t" -v n="$nlines" -v c="$c" -v w="${bwall[$t]}" -v r="${brss[$t]}" 'BEGIN {
		printf "  %-10s %10.0f lines/s  cpu %7.3f s  wall %7.3f s  max RSS %6.1f MB\n",
			t, n / c, c, w, r / 1024 }'
	if agree "$t" "$work/$t.set" "$work/truth.txt"; then
		set_ok[$t]=1
	else
		set_ok[$t]=0
	fi
	if [ "$t" = fail2ban ] && [ "${set_ok[$t]}" = 0 ]; then
		# not a filter error if its own counting rule gives the same set
		"$py" "$dir/fail2ban/f2b_model.py" "$log" 60 5 |
			sed -n 's/^FLAGGED //p' | sort -u >"$work/f2b-model.set"
		if cmp -s "$work/f2b-model.set" "$work/$t.set"; then
			set_ok[$t]=2
			echo "    = the set of fail2ban's counting rule (rate-rescaled count," \
				"not a sliding window: bench/sshd/fail2ban/f2b_model.py);" \
				"closest 5 failures of the extra sources, in s:" \
				"$(comm -13 "$work/truth.txt" "$work/$t.set" >"$work/f2b-extra"
				grep -F ': Failed password for ' "$log" | "$py" -c '
import sys
want = set(open(sys.argv[1]).read().split())
ts = {}
for line in sys.stdin:
    ip = line.rsplit(" from ", 1)[1].split(" ", 1)[0]
    if ip in want:
        h, m, s = line.split()[2].split(":")
        ts.setdefault(ip, []).append(int(h) * 3600 + int(m) * 60 + int(s))
print(" ".join(str(min(v[i + 4] - v[i] for i in range(len(v) - 4)))
               for v in ts.values()))' "$work/f2b-extra")"
		else
			echo "    and NOT the set of fail2ban's counting rule" \
				"(bench/sshd/fail2ban/f2b_model.py): a filter or replay error"
		fi
	fi
	if [ "$t" = kyklos ] && ! grep -q '"correlation"' "$work/out.$t"; then
		echo "    kyklos produced NO correlation alerts: \`kyklos detect\` does not" \
			"run correlation rules yet, so nothing is flagged (its time is the" \
			"detection rule's alone)"
	fi
	[ "${set_ok[$t]}" = 0 ] && all_ok=0
	awk -v t="$t" -v n="$nlines" -v c="$c" -v w="${bwall[$t]}" \
		-v f="$(wc -l <"$work/$t.set")" -v ok="${set_ok[$t]}" 'BEGIN {
		printf "RESULT sshd_%s lines=%d lps=%.0f cpu=%.4f wall=%.4f flagged=%d same_as_truth=%s\n",
			t, n, n / c, c, w, f, ok == 1 ? "yes" : ok == 2 ? "no(own-rule)" : "no" }'
done

echo
if want kyklos; then
	for t in syslog-ng sec fail2ban; do
		[ -n "${best[$t]:-}" ] || continue
		printf 'ratio kyklos/%s: %.2fx\n' "$t" "$(echo "${best[$t]} / ${best[kyklos]}" | bc -l)"
	done
	lps=$(echo "$nlines / ${best[kyklos]}" | bc -l)
	verdict() { if [ "$1" = 1 ]; then echo met; else echo MISSED; fi; }
	g1=$(echo "$lps >= 2000000" | bc -l)
	printf 'goal: kyklos >= 2,000,000 lines/s/core: %s (%.0f lines/s, %.2fx of goal)\n' \
		"$(verdict "$g1")" "$lps" "$(echo "$lps / 2000000" | bc -l)"
	if [ -n "${best[syslog-ng]:-}" ]; then
		r=$(echo "${best[syslog-ng]} / ${best[kyklos]}" | bc -l)
		printf 'goal: kyklos >= 4x syslog-ng: %s (%.2fx)\n' \
			"$(verdict "$(echo "$r >= 4" | bc -l)")" "$r"
	fi
	echo "goal: kyklos flags the truth's set: $(verdict "${set_ok[kyklos]}")"
fi
echo "load average at end: $(cat /proc/loadavg)"
if [ "$all_ok" = 1 ] && [ "$small_ok" = 1 ] && [ "$det_ok" = 1 ]; then
	echo "correctness: every tool flagged the truth's set (fail2ban: or the" \
		"set its own counting rule gives, shown above)"
	exit 0
fi
echo "correctness: NOT every tool flagged the truth's set (see above)"
exit 1
