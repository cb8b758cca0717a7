#!/bin/sh
# Installs the peer tools of the sshd benchmark (issue 3, task A:
# scripts/bench_sshd.sh): syslog-ng, SEC, fail2ban.  kyklos itself needs
# only scripts/install-deps.sh, which does the work for both.
exec "$(dirname "$0")/install-deps.sh" --bench
