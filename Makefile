# The two commands in the README do all the set-up: `make run` and `make test`.
SWIFT ?= swift
SWIFT_BUILD_FLAGS ?=

.PHONY: deps build run test lint clean bench release release-deps

deps:
	@./scripts/ensure-system-deps.sh

build: deps
	$(SWIFT) build $(SWIFT_BUILD_FLAGS)

run: build
	$(SWIFT) run $(SWIFT_BUILD_FLAGS) taskrun investment-committee

test: deps
	$(SWIFT) build $(SWIFT_BUILD_FLAGS) --build-tests
	$(SWIFT) test $(SWIFT_BUILD_FLAGS) --skip-build

# A release build, as shipped: optimized, the Swift runtime and Foundation linked statically (a binary that
# runs without a Swift toolchain and starts in about two thirds of the time: Docs/performance.md, W6), in its
# own scratch path so the debug build of `make test` is left alone. The binaries: .build-release/release/.
RELEASE_FLAGS ?= -c release --static-swift-stdlib --scratch-path .build-release

release-deps:
	@./scripts/ensure-system-deps.sh --release

release: release-deps
	$(SWIFT) build $(RELEASE_FLAGS) $(SWIFT_BUILD_FLAGS) --product taskrun

# The benchmark suite against LangGraph (Docs/performance.md); not part of `make test`. The release build
# above, of taskrun (which W6 times) and the bench only: the dependencies' own tools (the argument parser's
# generate-docc-reference) do not link with a static Foundation. The LangGraph peers in a venv of pinned versions.
BENCH_VENV ?= Benchmarks/.venv
BENCH_PYTHON ?= python3
BENCH_FLAGS ?=

bench: release-deps $(BENCH_VENV)/.installed
	$(SWIFT) build $(RELEASE_FLAGS) $(SWIFT_BUILD_FLAGS) --product taskrun
	$(SWIFT) build $(RELEASE_FLAGS) $(SWIFT_BUILD_FLAGS) --product taskrun-bench
	sync  # the build's writes go to disk now, not while the first workload is timed
	.build-release/release/taskrun-bench --python $(BENCH_VENV)/bin/python $(BENCH_FLAGS)

$(BENCH_VENV)/.installed: Benchmarks/peers/requirements.txt
	$(BENCH_PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --quiet --disable-pip-version-check -r Benchmarks/peers/requirements.txt
	touch $@

lint:
	$(SWIFT) format lint --recursive --strict Sources Tests Benchmarks

clean:
	rm -rf .build .build-release
