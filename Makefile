# gonogo: the release board. Only Go is needed: templ runs as a Go tool and
# the SQLite driver is pure Go.

GO      ?= go
export CGO_ENABLED ?= 0

# make run and make demo leave the configuration to the binary, which reads
# GONOGO_ADDR, GONOGO_DB and every other GONOGO_* variable of the README's
# table from the environment, with its own defaults. ADDR and DB given on
# make's command line (make run ADDR=:9000 DB=/tmp/x.db) become -addr and
# -db; the same names in the environment are not read, since ADDR and DB
# there may mean anything.
given    = $(filter command line override,$(origin $(1)))
RUNFLAGS = $(if $(call given,ADDR),-addr '$(ADDR)') $(if $(call given,DB),-db '$(DB)')

# The Nu HTML Checker (the W3C validator's engine) checks the rendered pages
# in TestPagesPassNuChecker. npm ships it as vnu-jar; Java 17 or newer runs
# it. `make vnu` fetches this pinned version and checks its digest.
VNU_VERSION := 26.9.27
VNU_SHA256  := 22f15dd39a33bed929d2a5c0cddf5946849a647eca9272bf4d5d00bc7e7a4d47
VNU_JAR     := .cache/vnu-$(VNU_VERSION).jar
export GONOGO_VNU_JAR ?= $(CURDIR)/$(VNU_JAR)

.PHONY: run demo test bench generate build lint check-generated clean vnu lighthouse

# Lighthouse measures the board as a phone on a slow network gets it, in
# TestLighthouse. npm installs the version pinned in .ci/lighthouse (its
# package-lock.json holds every digest) with npm ci; Node 20 runs it, and
# Debian's Chromium is the browser it drives. The stamp is remade when the
# lock file changes, so a new pin installs afresh.
LIGHTHOUSE_DIR   := .cache/lighthouse
LIGHTHOUSE_STAMP := $(LIGHTHOUSE_DIR)/.installed
export GONOGO_LIGHTHOUSE ?= $(CURDIR)/$(LIGHTHOUSE_DIR)/node_modules/.bin/lighthouse

## run: build and serve the board: on GONOGO_ADDR (default localhost:8080)
## with the database at GONOGO_DB (default ./data/gonogo.db), or on ADDR
## and DB given as make run ADDR=... DB=...
run:
	$(GO) run ./cmd/web $(RUNFLAGS)

## demo: like run, but first fill an empty database with a demo board
demo:
	$(GO) run ./cmd/web -demo $(RUNFLAGS)

## test: every test, with the race detector off so CGO is not needed
test:
	$(GO) test -count=1 -timeout 30m ./...

## vnu: fetch the Nu HTML checker into .cache/ so that make test validates
## the pages with it (needs npm; the test needs java)
vnu: $(VNU_JAR)

$(VNU_JAR):
	rm -rf .cache/vnu.tmp && mkdir -p .cache/vnu.tmp
	cd .cache/vnu.tmp && npm pack --silent vnu-jar@$(VNU_VERSION) >/dev/null && \
		tar -xzf vnu-jar-$(VNU_VERSION).tgz package/build/dist/vnu.jar
	echo "$(VNU_SHA256)  .cache/vnu.tmp/package/build/dist/vnu.jar" | sha256sum -c --quiet
	mv .cache/vnu.tmp/package/build/dist/vnu.jar $@
	rm -rf .cache/vnu.tmp

## lighthouse: install the pinned Lighthouse into .cache/ so that make test
## measures the pages with it (needs npm; the test needs chromium)
lighthouse: $(LIGHTHOUSE_STAMP)

$(LIGHTHOUSE_STAMP): .ci/lighthouse/package.json .ci/lighthouse/package-lock.json
	rm -rf $(LIGHTHOUSE_DIR) && mkdir -p $(LIGHTHOUSE_DIR)
	cp .ci/lighthouse/package.json .ci/lighthouse/package-lock.json $(LIGHTHOUSE_DIR)/
	cd $(LIGHTHOUSE_DIR) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	$(LIGHTHOUSE_DIR)/node_modules/.bin/lighthouse --version
	touch $@

## bench: load-test the real server binary on a generated year of data and
## print the figures as a Markdown table (a few minutes; not part of test).
## SCALE=10, 30 or H30 measures 1× and that bigger board side by side, with
## the loads that grow with history or viewers (see docs/performance.md)
bench:
	GONOGO_BENCH_SCALE=$(SCALE) $(GO) test -tags bench -run 'TestBench$$' -count=1 -v -timeout 180m ./cmd/web

## generate: regenerate the templ views and the static files' gzip and
## brotli copies
generate:
	$(GO) tool templ generate
	$(GO) generate ./static

## build: the static binary bin/gonogo
build:
	$(GO) build -trimpath -ldflags "-s -w" -o bin/gonogo ./cmd/web

## lint: formatting, vet and fresh generated code
lint: check-generated
	@test -z "$$(gofmt -l . | grep -v '_templ.go$$')" || (gofmt -l . ; echo "gofmt: the files above need formatting"; exit 1)
	$(GO) vet ./...
	$(GO) vet -tags bench ./cmd/web

## check-generated: fail if the committed templ output or a static file's
## compressed copy is stale
check-generated:
	$(GO) tool templ generate
	$(GO) generate ./static
	@git diff --exit-code --stat -- '*_templ.go' 'static/*.gz' 'static/*.br' 'static/*.min' || (echo "generated code or copies are stale: run make generate and commit"; exit 1)
	@test -z "$$(git status --porcelain -- '*_templ.go' 'static/*.gz' 'static/*.br' 'static/*.min')" || (git status --porcelain -- '*_templ.go' 'static/*.gz' 'static/*.br' 'static/*.min'; echo "untracked or changed generated files: run make generate and commit"; exit 1)

clean:
	rm -rf bin
