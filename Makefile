# jiaxiao — see README.md.
.PHONY: run demo test test-short generate build

# Start on the embedded defaults (SQLite + ./data/objects) on :8080.
run:
	go run ./cmd/jiaxiao serve

# The same with the demo school loaded.
demo:
	go run ./cmd/jiaxiao serve --demo

# The whole suite on the real services (MariaDB, MinIO, Chromium), which
# scripts/test.sh starts or installs when they are missing.
test:
	./scripts/test.sh

# Unit tests that need no service.
test-short:
	go test -short ./...

generate:
	go tool templ generate

build:
	CGO_ENABLED=0 go build -o bin/jiaxiao ./cmd/jiaxiao

# The reproducible load test (issue 9): builds jiaxiao and a 2,000-student
# school on MariaDB (a database of its own, dropped after) and on SQLite,
# starts the real server on 127.0.0.1 and plays a Monday morning; prints one
# table. About 10 minutes; `go run ./cmd/jiaxiao-load -quick` for a short run.
.PHONY: load
load:
	go run ./cmd/jiaxiao-load $(LOADFLAGS)
