#!/bin/sh
# Fuzzes each target for FUZZTIME (default 10s): make fuzz-short, make fuzz.
#
# Go's fuzz coordinator can fail a run that found nothing with "context
# deadline exceeded" when -fuzztime runs out (it compares the stop error
# with its workers' context before that context has seen the deadline).
# Such a run is made again once; a run that found a failing input
# ("Failing input written to ...") fails at once, as any other error.
set -u
GO=${GO:-go}
FUZZTIME=${FUZZTIME:-10s}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

fuzz() { # package target
	for attempt in 1 2; do
		echo "$GO test -run '^\$' -fuzz '^$2\$' -fuzztime $FUZZTIME $1"
		if "$GO" test -run '^$' -fuzz "^$2\$" -fuzztime "$FUZZTIME" "$1" >"$log" 2>&1; then
			tail -n 3 "$log"
			return 0
		fi
		cat "$log"
		if [ "$attempt" = 1 ] && grep -q 'context deadline exceeded' "$log" && ! grep -q 'Failing input' "$log"; then
			echo "fuzz.sh: $2: the fuzz coordinator's own deadline error, not a finding; running it again"
			continue
		fi
		exit 1
	done
}

fuzz ./lessons FuzzParse
fuzz ./lessons FuzzStrip
fuzz ./lessons FuzzStripCourse
fuzz ./lessons FuzzPythonLines
fuzz ./lessons FuzzParseCheckRules
fuzz ./render FuzzRender
fuzz ./render FuzzParseOutputs
fuzz ./internal/termtext FuzzParse
fuzz ./render/html FuzzOutputEscaped
fuzz ./jupyter FuzzExport
fuzz ./check FuzzUnifiedDiff
