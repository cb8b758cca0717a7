#!/bin/sh
# Runs every libFuzzer target in BUILD/tests/fuzz for SECONDS each, starting
# from an empty corpus in a temporary directory.  Fails on the first crash.
set -eu
build=$1
seconds=${2:-30}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=0
for t in "$build"/tests/fuzz/fuzz_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	mkdir -p "$work/$name"
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
