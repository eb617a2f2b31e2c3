GO ?= go
PKGS := ./...
FUZZTIME ?= 30s
BENCHTIME ?= 1s

.PHONY: test test-faults faults soak report report-engine report-cluster report-api report-faults report-day report-recall bench bench-1m bench-10m bench-cluster bench-api lint fuzz build

build:
	CGO_ENABLED=0 $(GO) build -o bin/crossguard ./cmd/crossguard

# The test command of README.md; .ci/run calls it.
test:
	$(GO) test -race -count=1 $(PKGS)

# The fault runs alone: crossguard serve processes under load, killed with
# SIGKILL, cut off and slowed by a fault proxy, then checked (they are part
# of `make test` too).
test-faults:
	$(GO) test -count=1 -v -timeout 15m ./testbench/fault/

lint:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "not gofmt-formatted:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 $(PKGS)

fuzz:
	$(GO) test -run=NONE -fuzz=FuzzParse -fuzztime=$(FUZZTIME) ./watchlist/mrz
	$(GO) test -run=NONE -fuzz=FuzzCanonical -fuzztime=$(FUZZTIME) ./watchlist/names
	$(GO) test -run=NONE -fuzz=FuzzDecodeMatchRecord -fuzztime=$(FUZZTIME) ./watchlist
	$(GO) test -run=NONE -fuzz=FuzzDecodeCommand -fuzztime=$(FUZZTIME) ./cluster
	$(GO) test -run=NONE -fuzz=FuzzRecover -fuzztime=$(FUZZTIME) ./node/journal

# The short fault run as a person runs it, and the soak (SOAK=4h).
SOAK ?= 1h
faults:
	$(GO) run ./cmd/crossguard-bench faults --short

soak:
	$(GO) run ./cmd/crossguard-bench faults --soak $(SOAK)

# The benchmark report: every measurement, then REPORT.md and the plots in
# $(RESULTS), and the generated part of BENCHMARKS.md. One command; about an
# hour on the 2-core machine at the defaults (REPORT_10M=1 adds the engine's
# check paths and open at 10M alerts, about 15 minutes once the 10M store is
# built; REPORT_ALERTS=10000000 the API at 10M: hours more).
RESULTS ?= bench-results
REPORT_ALERTS ?= 1000000
report: report-engine report-cluster report-api report-faults report-day report-recall
	$(GO) run ./cmd/crossguard-bench report --in $(RESULTS) --benchmarks BENCHMARKS.md

report-engine:
	mkdir -p $(RESULTS)
	CROSSGUARD_BENCH_ALERTS=1000000 $(GO) test -run NONE -bench . -benchmem -count 6 -timeout 3h ./watchlist/ > $(RESULTS)/engine-1m.bench.txt
	if [ -n "$(REPORT_10M)" ]; then CROSSGUARD_BENCH_ALERTS=10000000 $(GO) test -run NONE -bench 'BloomBaseline|Check|InspectFamily|Open' -benchmem -count 3 -timeout 6h ./watchlist/ > $(RESULTS)/engine-10m.bench.txt; fi

report-cluster:
	mkdir -p $(RESULTS)
	$(GO) test ./cluster/ -run NONE -bench ReplicatedUpsert -benchtime=3s -count=3 -timeout 30m > $(RESULTS)/cluster.bench.txt
	$(GO) test ./testbench/proc/ -run NONE -bench ProcessVisibility -benchtime 200x -timeout 30m > $(RESULTS)/processes.bench.txt
	$(GO) test ./testbench/proc/ -run NONE -bench ProcessFailover -benchtime 8x -timeout 30m >> $(RESULTS)/processes.bench.txt

report-api:
	mkdir -p $(RESULTS)
	CROSSGUARD_BENCH_ALERTS=$(REPORT_ALERTS) $(GO) test ./testbench/proc/ -run NONE -bench ProcessAPI -benchtime 1x -timeout 3h -v > $(RESULTS)/api.bench.txt

report-faults:
	$(GO) run ./cmd/crossguard-bench faults --short --out $(RESULTS)
	$(GO) run ./cmd/crossguard-bench faults --short --containers --out $(RESULTS)

report-day:
	$(GO) run ./cmd/crossguard-bench day --out $(RESULTS)

report-recall:
	$(GO) run ./cmd/crossguard-bench recall --out $(RESULTS)

# Benchmarks of the watchlist engine at CROSSGUARD_BENCH_ALERTS alerts;
# medians over BENCHCOUNT runs by benchstat. Stores are built once and kept
# in $$TMPDIR/crossguard-bench (CROSSGUARD_BENCH_DIR).
BENCHCOUNT ?= 6
BENCHSTAT := $(GO) run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da
CROSSGUARD_BENCH_ALERTS ?= 100000
export CROSSGUARD_BENCH_ALERTS

bench:
	$(GO) test -run=NONE -bench=. -benchmem -benchtime=$(BENCHTIME) -count=$(BENCHCOUNT) -timeout=2h ./watchlist/ | tee bench-$(CROSSGUARD_BENCH_ALERTS).txt
	$(BENCHSTAT) bench-$(CROSSGUARD_BENCH_ALERTS).txt
	$(GO) test -run=NONE -bench=Append -benchtime=2s -count=$(BENCHCOUNT) ./node/journal/ | tee bench-journal.txt

bench-1m:
	$(MAKE) bench CROSSGUARD_BENCH_ALERTS=1000000

bench-10m:
	$(MAKE) bench CROSSGUARD_BENCH_ALERTS=10000000 BENCHCOUNT=3

# Replication figures of BENCHMARKS.md: batched and one-by-one commits, and,
# on real processes, visibility at 10 replicas and leader failover.
bench-cluster:
	$(GO) test ./cluster/ -run NONE -bench ReplicatedUpsert -benchtime=3s -count=3 -timeout 30m
	$(GO) test ./testbench/proc/ -run NONE -bench ProcessVisibility -benchtime 200x -timeout 30m
	$(GO) test ./testbench/proc/ -run NONE -bench ProcessFailover -benchtime 8x -timeout 30m

# The API figures of BENCHMARKS.md: one crossguard serve process holding
# ALERTS alerts, an open-loop load generator on the same machine
# (single-traveller and party-of-four inspections, import through the API).
ALERTS ?= 1000000
bench-api:
	CROSSGUARD_BENCH_ALERTS=$(ALERTS) $(GO) test ./testbench/proc/ -run NONE -bench ProcessAPI -benchtime 1x -timeout 3h -v 2>&1 | grep -E 'api_bench_test|Benchmark|ok|FAIL'
