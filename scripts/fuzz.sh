#!/bin/sh
# Fuzzes each target of the repository: make fuzz-short (part of make
# test), make fuzz.
#
# With FUZZTIME unset, each target runs a fixed number of inputs, a few
# seconds' worth on a 2-core machine. That is also the only mode with no
# deadline inside Go's fuzz coordinator: with -fuzztime given as a
# duration, a run that found nothing fails now and then with "context
# deadline exceeded" as the time runs out (the coordinator compares the
# stop error with its workers' context before that context has seen the
# deadline; 1 run in 3 of FuzzCheckRules here). With FUZZTIME set
# (make fuzz FUZZTIME=10m) such a run is made again, up to three times; a
# run that found a failing input ("Failing input written to ...") fails at
# once, as does any other error.
set -u
GO=${GO:-go}
FUZZTIME=${FUZZTIME:-}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

fuzz() { # package target inputs
	budget=${FUZZTIME:-$3}
	for attempt in 1 2 3; do
		echo "$GO test -run '^\$' -fuzz '^$2\$' -fuzztime $budget $1"
		if "$GO" test -run '^$' -fuzz "^$2\$" -fuzztime "$budget" "$1" >"$log" 2>&1; then
			tail -n 3 "$log"
			return 0
		fi
		cat "$log"
		if [ -n "$FUZZTIME" ] && [ "$attempt" != 3 ] &&
			grep -q 'context deadline exceeded' "$log" && ! grep -q 'Failing input' "$log"; then
			echo "fuzz.sh: $2: the fuzz coordinator's own deadline error, not a finding; running it again"
			continue
		fi
		exit 1
	done
}

fuzz ./lessons FuzzParse 100000x
fuzz ./transcript FuzzStrip 100000x
fuzz ./transcript FuzzStripCourse 100000x
fuzz ./transcript FuzzParse 100000x
fuzz ./lessons FuzzPythonLines 100000x
fuzz ./lessons FuzzCheckRules 100000x
fuzz ./render FuzzRender 100000x
fuzz ./render FuzzParseOutputs 30000x
fuzz ./internal/termtext FuzzParse 100000x
fuzz ./render/html FuzzOutputEscaped 15000x
fuzz ./jupyter FuzzExport 100000x
fuzz ./check FuzzUnifiedDiff 100000x
fuzz ./check FuzzConsoleRoundTrip 30000x
fuzz ./check FuzzUpdate 5000x
fuzz ./check FuzzUpdateCourse 5000x
fuzz ./lessons FuzzCram 100000x
fuzz ./internal/cram FuzzPatch 100000x
