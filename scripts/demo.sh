#!/bin/sh
# The main job for now: ingest the bundled sample and show what was parsed
# (one JSON object per event), then the summary with what was rejected.
set -eu
bin=${1:-build/kyklos}
here=$(cd "$(dirname "$0")/.." && pwd)
echo "== kyklos ingest --print samples/sample.log"
"$bin" ingest --print "$here/samples/sample.log"
