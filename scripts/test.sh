#!/usr/bin/env bash
# test.sh - the README's test command: install what the tests need, build Depot with
# AddressSanitizer and UndefinedBehaviorSanitizer and run every test with ctest, then build it
# again with ThreadSanitizer and run the tests where threads meet (ctest label "threads"), then
# build compose.yaml's images and run the deployment on a Docker engine of the script's own
# (scripts/compose_ci.sh; as root, through sudo when not root).
#
#   scripts/test.sh [ctest arguments...]      e.g. scripts/test.sh -R integration
#
# Tests start their own private MariaDB (Debian's mariadb-server) on a private socket and
# datadir; nothing else runs. The builds go to build-test/ and build-test-tsan/
# (DEPOT_TEST_BUILD to change the first; the second is its name with -tsan).
# The compose part runs when no ctest arguments are given (as in CI), or when DEPOT_TEST_COMPOSE
# is 1; DEPOT_TEST_COMPOSE=0 leaves it out. Every part runs even when one before it failed, and
# the summary at the end names the parts that failed (the exit status is 1 then).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${DEPOT_TEST_BUILD:-build-test}
compose=${DEPOT_TEST_COMPOSE:-$([ $# = 0 ] && echo 1 || echo 0)}

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

summary=()
failed=0
# part NAME COMMAND...: runs the part, notes how it ended.
part () {
  local name=$1 start=$SECONDS
  shift
  echo "=== $name"
  if "$@"; then
    summary+=("PASS  $name ($((SECONDS - start)) s)")
  else
    summary+=("FAIL  $name ($((SECONDS - start)) s)")
    failed=1
  fi
}

sanitized_tests () {
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DDEPOT_SANITIZE=ON >/dev/null &&
  cmake --build "$build" -j"$(nproc)" &&
  (cd "$build" && ctest --output-on-failure --timeout 900 -j2 "$@")
}

# ThreadSanitizer cannot share a build with AddressSanitizer. Debian's libzmq, czmq and civetweb
# are not instrumented, so TSan cannot see the synchronisation inside them (a message allocated
# by libzmq in one thread and freed by it in another looks like a race):
# ignore_noninstrumented_modules leaves out the memory accesses those libraries make, while
# every access of Depot's own code is still checked. halt_on_error: a race ends the process, so
# the test that met it fails.
thread_tests () {
  cmake -S . -B "$build-tsan" -DCMAKE_BUILD_TYPE=Debug -DDEPOT_TSAN=ON >/dev/null &&
  cmake --build "$build-tsan" -j"$(nproc)" &&
  (cd "$build-tsan" &&
   TSAN_OPTIONS="halt_on_error=1 ignore_noninstrumented_modules=1 second_deadlock_stack=1" \
     ctest --output-on-failure --timeout 900 -j2 -L threads "$@")
}

compose_deployment () {
  if [ "$(id -u)" = 0 ]; then scripts/compose_ci.sh; else sudo scripts/compose_ci.sh; fi
}

part "ctest (ASan, UBSan)" sanitized_tests "$@"
part "ctest -L threads (TSan)" thread_tests "$@"
[ "$compose" = 1 ] && part "compose deployment (scripts/compose_ci.sh)" compose_deployment

echo "=== summary"
printf '%s\n' "${summary[@]}"
exit "$failed"
