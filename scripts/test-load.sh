#!/bin/sh
# make test-load: the CLI and adversarial suites with two CPU hogs
# running, as on a loaded runner (a 2-core machine running other jobs):
# every bound of those suites must hold there too. The hogs are busy
# shell loops this script starts and always kills, whatever the tests do
# (failure, Ctrl-C, SIGTERM).
set -u
GO=${GO:-go}
HOGS=${HOGS:-2}
pids=
stop() {
	trap - EXIT INT TERM HUP
	[ -n "$pids" ] && kill $pids 2>/dev/null
	wait 2>/dev/null
}
trap 'stop' EXIT
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap 'stop; exit 129' HUP
i=0
while [ "$i" -lt "$HOGS" ]; do
	(while :; do :; done) &
	pids="$pids $!"
	i=$((i + 1))
done
echo "test-load: $HOGS CPU hogs running (pids$pids)"
"$GO" test -count=1 -timeout 15m -run 'TestAdversarial|TestScript' ./cmd/labrun
status=$?
stop
exit $status
