#!/bin/sh
# resolver-entrypoint.sh - start resolver-svc connected to every db-svc replica.
#
#   resolver-entrypoint.sh /usr/local/bin/resolver-svc [options]
#
# Each tcp://HOST:PORT in DEPOT_DB_CONNECT (a comma list) becomes tcp://ADDRESS:PORT for
# every IPv4 address HOST resolves to, so with `docker compose up --scale db-svc=N` the name
# db-svc, which Docker's DNS answers with all N replicas, gives N connections. ZeroMQ alone
# would connect to one address of the name. Endpoints that are not tcp:// with a host name,
# or whose host does not resolve, are kept as they are.
# Licensed under the Apache License 2.0.
set -eu
if [ -n "${DEPOT_DB_CONNECT:-}" ]; then
    expanded=""
    old_ifs=$IFS
    IFS=,
    for endpoint in $DEPOT_DB_CONNECT; do
        IFS=$old_ifs
        case "$endpoint" in
            tcp://*:*)
                rest=${endpoint#tcp://}
                host=${rest%:*}
                port=${rest##*:}
                addresses=$(getent ahostsv4 "$host" 2>/dev/null | awk '{print $1}' | sort -u || true)
                if [ -n "$addresses" ]; then
                    for address in $addresses; do
                        expanded="${expanded:+$expanded,}tcp://$address:$port"
                    done
                    continue
                fi
                ;;
        esac
        expanded="${expanded:+$expanded,}$endpoint"
    done
    IFS=$old_ifs
    DEPOT_DB_CONNECT=$expanded
    export DEPOT_DB_CONNECT
    echo "resolver-entrypoint: DEPOT_DB_CONNECT=$DEPOT_DB_CONNECT" >&2
fi
exec "$@"
