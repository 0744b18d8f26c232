# labrun — the two commands a fresh machine needs:
#   make run    runs labrun on the bundled example lesson
#   make test   runs the tests (unit, golden end-to-end, short fuzzing)
# Others: make eval (the course corpus, scored), make bench, make fuzz,
# make test-load (the CLI and adversarial suites beside two CPU hogs).

GO      ?= go
BIN     := bin/labrun
EXAMPLE := examples/fifo/lesson.md

.PHONY: all build run man test test-nocgo test-load agreement fuzz-short fuzz eval bench vet clean

all: build

# The VCS revision for "labrun version" where the go tool does not stamp
# it (GOFLAGS=-buildvcs=false, a git worktree).
REV     := $(shell git rev-parse --short=12 HEAD 2>/dev/null)

build:
	$(GO) build -ldflags "-X main.revision=$(REV)" -o $(BIN) ./cmd/labrun

run: build
	mkdir -p out
	$(BIN) run $(EXAMPLE) -o out/fifo.md
	@echo "transcript: out/fifo.md"

# The man pages, made by cobra/doc from the command definitions that make
# the help (labrun.1, labrun-check.1, ...): man -l out/man/labrun.1.
man: build
	$(BIN) gen-man out/man

test: build vet
	$(GO) test -count=1 -timeout 15m ./...
	$(MAKE) test-nocgo
	$(MAKE) fuzz-short

# The Go gate (gate.go), which a build without cgo uses in place of the C
# one: the process layer's tests, and the CLI cases it matters for.
test-nocgo:
	CGO_ENABLED=0 $(GO) test -count=1 ./internal/proc
	CGO_ENABLED=0 $(GO) test -count=1 -run 'TestAdversarial/(sandbox_(home|network|symlink_escape)|.*_limit|limits_leave_no_room_.*|sigint_ignored_shell|nohup_left_behind)$$' ./cmd/labrun

# The CLI and adversarial suites with two CPU hogs running (started and
# always killed by the script): their time bounds must hold on a loaded
# runner.
test-load: build
	GO=$(GO) scripts/test-load.sh

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l .)" || (gofmt -l . && echo "gofmt: files above need formatting" && false)

# A few seconds of each fuzz target, a fixed number of inputs each (part
# of make test).
fuzz-short:
	GO=$(GO) scripts/fuzz.sh

# Long fuzzing, FUZZTIME per target: make fuzz FUZZTIME=1h (default 10m).
fuzz:
	GO=$(GO) FUZZTIME=$(or $(FUZZTIME),10m) scripts/fuzz.sh

# Run labrun over the course corpus and score it against the recordings,
# in the dev corpus's recording environment (the project's config for it,
# as make agreement). LABRUN_ARGS replaces the --config (LABRUN_ARGS= for
# none); corpus_eval.sh runs labrun in each lesson's copy, so a --config
# there must be an absolute path. EVAL_OUT=DIR keeps the transcripts;
# EVAL_DIR=DIR runs the lessons under DIR only.
EVAL_CONFIG := $(CURDIR)/testdata/caos_2019-2020.toml
eval: build
	LABRUN_ARGS="$${LABRUN_ARGS---config $(EVAL_CONFIG)}" ../shared/tools/corpus_eval.sh $(BIN) $(EVAL_DIR)

# Every cell lesson_score.py calls strict on the dev corpus must pass
# labrun check: the agreement table (minutes).
agreement:
	LABRUN_AGREEMENT=1 $(GO) test -count=1 -v -run '^TestScorerAgreement$$' -timeout 30m ./check

# Benchmarks only (no tests): bench/ compares labrun with a shell script and
# with the Jupyter pipeline; see bench/README.md. Each run is bounded by the
# benchmark itself, the Jupyter one takes about a minute.
bench: build
	$(GO) test -run '^$$' -bench . -benchtime 3x -timeout 30m ./...

clean:
	rm -rf bin out
