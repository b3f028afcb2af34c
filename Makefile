# The two commands in the README do all the set-up: `make run` and `make test`.
SWIFT ?= swift
SWIFT_BUILD_FLAGS ?=

.PHONY: deps build run test lint clean

deps:
	@./scripts/ensure-system-deps.sh

build: deps
	$(SWIFT) build $(SWIFT_BUILD_FLAGS)

run: build
	$(SWIFT) run $(SWIFT_BUILD_FLAGS) taskrun investment-committee

test: deps
	$(SWIFT) build $(SWIFT_BUILD_FLAGS) --build-tests
	$(SWIFT) test $(SWIFT_BUILD_FLAGS) --skip-build

lint:
	$(SWIFT) format lint --recursive --strict Sources Tests

clean:
	rm -rf .build
