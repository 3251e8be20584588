#!/usr/bin/env bash
# test.sh - the README's test command: install what the tests need, build Depot with
# AddressSanitizer and UndefinedBehaviorSanitizer and run every test with ctest, then build it
# again with ThreadSanitizer and run the tests where threads meet (ctest label "threads").
#
#   scripts/test.sh [ctest arguments...]      e.g. scripts/test.sh -R integration
#
# Tests start their own private MariaDB (Debian's mariadb-server) on a private socket and
# datadir; nothing else runs. The builds go to build-test/ and build-test-tsan/
# (DEPOT_TEST_BUILD to change the first; the second is its name with -tsan).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${DEPOT_TEST_BUILD:-build-test}

scripts/setup.sh
# graphql-js (pinned in tests/js/package-lock.json) is the dev-only oracle of the contract tests.
# npm ci again whenever the lock file changed since the last install (a copy of it is kept in
# node_modules), so a new pin (playwright-core, say) is never run against old packages.
# tests/js/.npmrc has engine-strict: a node older than a package needs stops the install, saying so.
stamp=tests/js/node_modules/.depot-package-lock.json
if ! cmp -s tests/js/package-lock.json "$stamp"; then
  (cd tests/js && npm ci --no-audit --no-fund --loglevel=error)
  cp tests/js/package-lock.json "$stamp"
fi

cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DDEPOT_SANITIZE=ON >/dev/null
cmake --build "$build" -j"$(nproc)"
(cd "$build" && ctest --output-on-failure --timeout 900 -j2 "$@")

# ThreadSanitizer cannot share a build with AddressSanitizer. Debian's libzmq, czmq and civetweb
# are not instrumented, so TSan cannot see the synchronisation inside them (a message allocated
# by libzmq in one thread and freed by it in another looks like a race):
# ignore_noninstrumented_modules leaves out the memory accesses those libraries make, while
# every access of Depot's own code is still checked. halt_on_error: a race ends the process, so
# the test that met it fails.
cmake -S . -B "$build-tsan" -DCMAKE_BUILD_TYPE=Debug -DDEPOT_TSAN=ON >/dev/null
cmake --build "$build-tsan" -j"$(nproc)"
cd "$build-tsan"
TSAN_OPTIONS="halt_on_error=1 ignore_noninstrumented_modules=1 second_deadlock_stack=1" \
    ctest --output-on-failure --timeout 900 -j2 -L threads "$@"
