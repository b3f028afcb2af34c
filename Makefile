# The two commands in the README do all the set-up: `make run` and `make test`.
SWIFT ?= swift
SWIFT_BUILD_FLAGS ?=

.PHONY: deps build run test lint clean bench bench-build release release-deps

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
#
# Its code is laid out by use: every function in a section of its own, placed by lld in the order of
# Benchmarks/hot-functions.order (the functions the benchmark's workloads run most, hottest first), so the
# code of a phase spans half as many pages as in link order (Docs/performance.md, "Code layout").
LAYOUT_FLAGS ?= -Xswiftc -Xfrontend -Xswiftc -function-sections -Xswiftc -use-ld=lld \
	-Xlinker --symbol-ordering-file=$(CURDIR)/Benchmarks/hot-functions.order -Xlinker --no-warn-symbol-ordering
RELEASE_FLAGS ?= -c release --static-swift-stdlib --scratch-path .build-release $(LAYOUT_FLAGS)

# SwiftPM does not know the linker reads the order file: when it changes, the binaries are removed so that
# they are linked again.
.build-release/.layout: Benchmarks/hot-functions.order
	rm -f .build-release/release/taskrun .build-release/release/taskrun-bench
	mkdir -p .build-release && touch $@

release-deps:
	@./scripts/ensure-system-deps.sh --release

release: release-deps .build-release/.layout
	$(SWIFT) build $(RELEASE_FLAGS) $(SWIFT_BUILD_FLAGS) --product taskrun

# The benchmark suite against LangGraph (Docs/performance.md); not part of `make test`. The release build
# above, of taskrun (which W6 times) and the bench only: the dependencies' own tools (the argument parser's
# generate-docc-reference) do not link with a static Foundation. The LangGraph peers in a venv of pinned versions.
BENCH_VENV ?= Benchmarks/.venv
BENCH_PYTHON ?= python3
BENCH_FLAGS ?=

bench: bench-build $(BENCH_VENV)/.installed
	sync  # the build's writes go to disk now, not while the first workload is timed
	.build-release/release/taskrun-bench --python $(BENCH_VENV)/bin/python $(BENCH_FLAGS)

# The release builds `make bench` runs, without running it: what Benchmarks/tools/ measure.
bench-build: release-deps .build-release/.layout
	$(SWIFT) build $(RELEASE_FLAGS) $(SWIFT_BUILD_FLAGS) --product taskrun
	$(SWIFT) build $(RELEASE_FLAGS) $(SWIFT_BUILD_FLAGS) --product taskrun-bench

$(BENCH_VENV)/.installed: Benchmarks/peers/requirements.txt
	$(BENCH_PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --quiet --disable-pip-version-check -r Benchmarks/peers/requirements.txt
	touch $@

lint:
	$(SWIFT) format lint --recursive --strict Sources Tests Benchmarks

clean:
	rm -rf .build .build-release
