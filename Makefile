# A thin wrapper around CMake, so that a newcomer needs two commands:
#   make demo    the morning job on the embedded demo tenant (sends nothing)
#   make test    the whole test suite
#   make fuzz    every fuzz target for FUZZ_SECONDS (60) each
BUILD_DIR ?= build
CMAKE_FLAGS ?=
# Warnings are errors for developers and CI; a plain cmake build leaves them
# warnings (DIGEST_WERROR is OFF there). `make WERROR=OFF` to relax.
WERROR ?= ON
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all deps build demo test test-sanitize test-valgrind test-release \
	package-test fuzz clean

all: build

deps:
	@sh scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD_DIR) -DDIGEST_WERROR=$(WERROR) $(CMAKE_FLAGS) \
		>/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# The history first (fixtures/demo-past: the four weeks before the demo's
# morning, read by a backfill), so that the digests show relationship
# context; then the run, and Dana's Wednesday (her first working day of
# the week: the weekly "people you meet most").
demo: build
	@sed 's|"fixtures/demo"|"fixtures/demo-past"|' digest.toml.example \
		>$(BUILD_DIR)/demo-past.toml
	./$(BUILD_DIR)/digest --config $(BUILD_DIR)/demo-past.toml \
		history backfill --days 28
	./$(BUILD_DIR)/digest --config digest.toml.example run
	./$(BUILD_DIR)/digest --config digest.toml.example \
		preview --user dana.whitfield@contoso.com --date 2026-11-25

test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)

test-sanitize:
	$(MAKE) test BUILD_DIR=build-sanitize CMAKE_FLAGS=-DDIGEST_SANITIZE=ON

test-valgrind: build
	sh scripts/valgrind-tests.sh $(BUILD_DIR)

# A packager's Release build for /usr (-O3 finds warnings -O2 does not)
# with gcc and clang, warnings as errors, and its unit tests. The gcc one
# is the build package-test makes the Debian package from.
RELEASE_FLAGS = -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
	-DDIGEST_PACKAGE=ON
test-release:
	for cc in gcc clang; do \
		CC=$$cc $(MAKE) build BUILD_DIR=build-release-$$cc \
			CMAKE_FLAGS="$(RELEASE_FLAGS)" && \
		ctest --test-dir build-release-$$cc -R '^unit/' \
			--output-on-failure -j $(JOBS) || exit 1; \
	done

# The Debian package: built, linted, installed with apt, run, purged.
# Installs a package on this machine: meant for CI.
package-test: deps
	sh scripts/package-test.sh build-release-gcc

# Every fuzz target for FUZZ_SECONDS (60) each; see tests/fuzz/README.md.
fuzz: deps
	sh scripts/fuzz.sh

clean:
	rm -rf build build-sanitize build-fuzz build-release-gcc \
		build-release-clang build-package
