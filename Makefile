# scalelab: build, test and run the lab. `make help` lists the targets.
GO      ?= go
BIN     := bin/scalelab
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
# CI sets SCALELAB_REQUIRE_DB=1 so that a missing server fails instead of skipping.
TESTFLAGS ?= -race -timeout 30m

.PHONY: help deps build test lint demo up down status clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-8s %s\n", $$1, $$2}'

deps: ## install the server, client and bench anchors if missing (apt)
	@./scripts/install-deps.sh

build: ## build bin/scalelab
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/scalelab

test: deps ## run every test, with the race detector, against real servers
	$(GO) test $(TESTFLAGS) ./...

lint: ## go vet, and gofmt must list nothing
	$(GO) vet ./...
	@out="$$(gofmt -l .)"; if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

demo: deps build ## run every experiment, print the verdicts, write report.html
	./$(BIN) demo

up: deps build ## start a sandbox (1 primary, 2 replicas) and show its status
	./$(BIN) up
	./$(BIN) status

down: build ## stop the sandbox
	./$(BIN) down

status: build ## show the sandbox's nodes
	./$(BIN) status

clean: ## stop and delete the sandbox, remove the binary
	-./$(BIN) down --purge
	rm -rf bin
