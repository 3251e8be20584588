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
cd "$build"
ctest --output-on-failure --timeout 900 -j2 "$@"
