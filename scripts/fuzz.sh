#!/bin/sh
# Runs every libFuzzer target in BUILD/tests/fuzz for SECONDS each, starting
# from an empty corpus in a temporary directory.  Fails on the first crash.
set -eu
build=$1
seconds=${2:-30}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Leaks inside third-party libraries only (see the file).
LSAN_OPTIONS="suppressions=$here/tests/fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export LSAN_OPTIONS
n=0
for t in "$build"/tests/fuzz/fuzz_*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	name=$(basename "$t")
	mkdir -p "$work/$name"
	# Seeds: each line of the bundled sample, and the whole file.
	if [ -f "$here/samples/sample.log" ]; then
		i=0
		while IFS= read -r line; do
			i=$((i + 1))
			printf '%s\n' "$line" >"$work/$name/seed-$i"
		done <"$here/samples/sample.log"
		cp "$here/samples/sample.log" "$work/$name/seed-all"
	fi
	echo "fuzz: $name for ${seconds}s"
	"$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$work/" "$work/$name" \
		>"$work/$name.log" 2>&1 || {
		tail -n 60 "$work/$name.log"
		echo "fuzz: $name FAILED"
		exit 1
	}
	grep -E 'stat::number_of_executed_units' "$work/$name.log" || true
	n=$((n + 1))
done
echo "fuzz: $n targets ran without a crash"
