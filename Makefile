GO ?= go
PKGS := ./...
FUZZTIME ?= 30s
BENCHTIME ?= 1s

.PHONY: test bench bench-10m lint fuzz build run

build:
	CGO_ENABLED=0 $(GO) build -o bin/crossguard ./cmd/crossguard

# The test command of README.md; .ci/run calls it.
test:
	$(GO) test -race -count=1 $(PKGS)

lint:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "not gofmt-formatted:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)

fuzz:
	$(GO) test -run=NONE -fuzz=FuzzParse -fuzztime=$(FUZZTIME) ./watchlist/mrz
	$(GO) test -run=NONE -fuzz=FuzzCanonical -fuzztime=$(FUZZTIME) ./watchlist/names

bench:
	$(GO) test -run=NONE -bench=. -benchmem -benchtime=$(BENCHTIME) ./watchlist/...
