# unsproc: build, run the pump example, test.
#
#   make run     the pump example on its bundled sample, one output per line
#   make install the unsproc binary into $(go env GOPATH)/bin (put that on PATH)
#   make test    everything CI checks (gofmt, vet, race tests, hostile mappings, fuzz, soak,
#                config tests)
#   make bench   benchmarks of the module root (bench_test.go)
#   make bench-e2e   whole pipelines (`unsproc run`) on a generated 1,000,000-input recording

SHELL       := /bin/bash
.SHELLFLAGS := -o pipefail -c
GO        ?= go
BIN       := bin/unsproc
FUZZTIME  ?= 10s
BENCH     ?= .
BENCHCOUNT ?= 6

.PHONY: all run build install test fmt-check vet race hostile fuzz soak config-test bench bench-e2e

all: build

# The uns_replay input ends with the sample, so the stream stops by itself.
run: build
	./$(BIN) run examples/pump/config.yaml

# -buildvcs=auto: `unsproc --version` names the commit even where GOFLAGS turns
# version-control stamping off.
build:
	$(GO) build -buildvcs=auto -o $(BIN) ./cmd/unsproc

install:
	$(GO) install -buildvcs=auto ./cmd/unsproc

# Every step runs, even after one failed; the last line gives the verdict and what ran.
test:
	@failed=""; \
	for step in fmt-check vet race hostile fuzz soak config-test; do \
		$(MAKE) --no-print-directory $$step || failed="$$failed $$step"; \
	done; \
	ran="gofmt, go vet, the race tests of $$($(GO) list ./... | wc -l) packages, the hostile mappings alone, $$(grep -rh --include='*_test.go' '^func Fuzz' . | wc -l) fuzz targets ($(FUZZTIME) each), the soak (1,000,000 messages), the config tests of $$(find examples -name '*_benthos_test.yaml' | wc -l) examples"; \
	if [ -z "$$failed" ]; then \
		echo "make test: PASS: $$ran"; \
	else \
		echo "make test: FAIL in$$failed; ran $$ran"; exit 1; \
	fi

fmt-check:
	@unformatted="$$(gofmt -l .)"; \
	if [ -n "$$unformatted" ]; then \
		echo "gofmt: these files are not formatted:"; echo "$$unformatted"; exit 1; \
	fi

vet:
	$(GO) vet ./...

# The hostile mappings hold a time bound per evaluation (twice the timeout plus 50 ms),
# so they run alone, in the next step, not beside the other packages' race tests.
race:
	$(GO) test -race -skip '^TestHostileMappings$$' ./...

hostile:
	$(GO) test -count=1 -run '^TestHostileMappings$$' ./processor

# A short run of every Fuzz target in the module, whichever exist. Go 1.26's
# fuzz coordinator can fail a clean run with "context deadline exceeded" when
# -fuzztime expires mid-execution (golang/go#75804, fixed in Go 1.27): such a
# run counts as passed when it wrote no failing input.
fuzz:
	@for dir in $$(grep -rl --include='*_test.go' '^func Fuzz' . | xargs -r -n1 dirname | sort -u); do \
		for target in $$($(GO) test "$$dir" -list '^Fuzz' | grep '^Fuzz'); do \
			echo "fuzz $$dir $$target ($(FUZZTIME))"; \
			log="$$(mktemp)"; \
			if ! $(GO) test "$$dir" -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) 2>&1 | tee "$$log"; then \
				if grep -q 'context deadline exceeded' "$$log" && ! grep -q 'Failing input written' "$$log"; then \
					echo "fuzz $$target: coordinator deadline race, no failing input: passed"; \
				else \
					rm -f "$$log"; exit 1; \
				fi; \
			fi; \
			rm -f "$$log"; \
		done; \
	done

# One million mixed messages through the processor; fails when the heap grows.
soak:
	$(GO) test ./components/streamprocessor -run '^$$' -bench '^BenchmarkSoak$$' -benchtime 1x

# Benthos config unit tests (the tests: sections next to the example configs).
config-test: build
	./$(BIN) test ./examples/...

# The headline benchmarks (bench_test.go), a benchstat table and the ratios they are
# judged by: the processor's scaling over cores next to the floor's (BenchmarkScaling),
# allocations against the floors', ns/op ratios for orientation (the cost targets are
# in instructions: scripts/instructions.sh).
# Each of the BENCHCOUNT rounds runs every benchmark once, so that the slow phases of a
# shared machine hit the benchmarks compared alike (with -count, the runs of one
# benchmark follow each other and a slow minute skews one side of a ratio).
BENCHSTAT ?= $(GO) run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da

bench:
	$(GO) test -c -o bin/bench.test .
	rm -f bench.txt
	for round in $$(seq $(BENCHCOUNT)); do \
		./bin/bench.test -test.run '^$$' -test.bench '$(BENCH)' -test.benchmem | tee -a bench.txt; \
	done
	$(BENCHSTAT) bench.txt
	awk -f scripts/benchratios.awk bench.txt

# Whole pipelines, process start to exit: uns_replay → pump processor → drop (threads 1
# and 2), the same without the processor, and the former file + Bloblang pipeline;
# inputs/s, CPU µs per input and a CPU profile (docs/performance.md has the results).
# N, RUNS, BATCH and PROFILE are passed on (see the script's header).
bench-e2e:
	scripts/bench-e2e.sh
