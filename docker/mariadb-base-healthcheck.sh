#!/bin/bash
# mariadb-base-healthcheck.sh - healthcheck.sh of docker/mariadb-base.Dockerfile: the official
# image's --connect and --innodb_initialized checks, as compose.yaml asks for them.
#
#   healthcheck.sh [--connect] [--innodb_initialized]
#
# --connect: a client logs in over TCP (the first start's initialisation runs without
# networking, so this fails until it is done); --innodb_initialized: InnoDB is available.
# Both log in as root with MARIADB_ROOT_PASSWORD (passed in the environment, not in argv).
# Licensed under the Apache License 2.0.
set -eu
export MYSQL_PWD="${MARIADB_ROOT_PASSWORD:-}"
client=(mariadb -uroot --batch --skip-column-names)
for check in "$@"; do
    case "$check" in
        --connect)
            "${client[@]}" --protocol=tcp -h127.0.0.1 -e 'SELECT 1' >/dev/null ;;
        --innodb_initialized)
            [ "$("${client[@]}" -e "SELECT COUNT(*) FROM information_schema.ENGINES
                   WHERE engine = 'InnoDB' AND support IN ('YES', 'DEFAULT')")" = 1 ] ;;
        *)
            echo "healthcheck.sh: unknown check $check" >&2; exit 2 ;;
    esac
done
