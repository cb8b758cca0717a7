#!/bin/sh
# The main job for now: ingest the bundled sample and show what was parsed
# (one JSON object per event, fields under their ECS or Sigma names), then
# the rejected records with their reasons and the summary.
set -eu
bin=${1:-build/kyklos}
here=$(cd "$(dirname "$0")/.." && pwd)
err=$(mktemp)
trap 'rm -f "$err"' EXIT

echo "== kyklos ingest --print samples/sample.log"
echo "   (JSON lines, evtx-style Windows JSON, syslog RFC 5424 and 3164,"
echo "    sshd/sudo/nginx lines with extracted fields, CEF, two bad lines)"
echo
status=0
"$bin" ingest --print "$here/samples/sample.log" 2>"$err" || status=$?
echo
echo "== rejected records (with input, line and reason) and the summary"
cat "$err"
exit "$status"
