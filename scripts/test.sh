#!/usr/bin/env bash
# test.sh - the README's test command: install what the tests need, build Depot with
# AddressSanitizer and UndefinedBehaviorSanitizer, and run every test with ctest.
#
#   scripts/test.sh [ctest arguments...]      e.g. scripts/test.sh -R integration
#
# Tests start their own private MariaDB (Debian's mariadb-server) on a private socket and
# datadir; nothing else runs. The build goes to build-test/ (DEPOT_TEST_BUILD to change).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${DEPOT_TEST_BUILD:-build-test}

scripts/setup.sh
# graphql-js (pinned in tests/js/package-lock.json) is the dev-only oracle of the contract tests.
if [ ! -d tests/js/node_modules/graphql ]; then
  (cd tests/js && npm ci --no-audit --no-fund --loglevel=error)
fi

cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DDEPOT_SANITIZE=ON >/dev/null
cmake --build "$build" -j"$(nproc)"
cd "$build"
ctest --output-on-failure --timeout 900 -j2 "$@"
