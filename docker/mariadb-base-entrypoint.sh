#!/bin/bash
# mariadb-base-entrypoint.sh - the entrypoint of docker/mariadb-base.Dockerfile: what
# compose.yaml uses of the official mariadb image's entrypoint.
#
#   docker-entrypoint.sh [mariadbd] [--option...]
#
# On the first start (an empty /var/lib/mysql) it initialises the datadir, starts a server
# without networking (so healthcheck.sh --connect fails until it is done), sets root's password
# (MARIADB_ROOT_PASSWORD, root@localhost and root@'%'), creates MARIADB_DATABASE and
# MARIADB_USER (all privileges on that database), runs /docker-entrypoint-initdb.d/*.sql and
# *.sql.gz in name order into MARIADB_DATABASE without writing them to the binary log, and stops
# that server. Then it runs mariadbd with the options given, as the user mysql.
# Licensed under the Apache License 2.0.
set -euo pipefail
if [ "${1:0:1}" = "-" ]; then
    set -- mariadbd "$@"
fi
if [ "$1" != mariadbd ]; then
    exec "$@"
fi
datadir=/var/lib/mysql
socket=/run/mysqld/mysqld.sock
mkdir -p /run/mysqld
chown mysql:mysql /run/mysqld "$datadir"

# 'text' as an SQL string literal's inside: backslashes and quotes doubled.
sql_literal () {
    local text=${1//\\/\\\\}
    printf '%s' "${text//\'/\'\'}"
}

if [ ! -d "$datadir/mysql" ]; then
    : "${MARIADB_ROOT_PASSWORD:?is needed to initialise the database}"
    echo "mariadb-base: initialising $datadir" >&2
    mariadb-install-db --user=mysql --datadir="$datadir" --auth-root-authentication-method=normal \
        --skip-test-db --force --skip-name-resolve >/dev/null
    "$@" --user=mysql --datadir="$datadir" --skip-networking --socket="$socket" --skip-log-bin &
    server=$!
    for _ in $(seq 120); do
        mariadb-admin --socket="$socket" -uroot ping >/dev/null 2>&1 && break
        kill -0 "$server" 2>/dev/null || { echo "mariadb-base: the server did not start" >&2; exit 1; }
        sleep 0.5
    done
    root_password=$(sql_literal "$MARIADB_ROOT_PASSWORD")
    # mariadb-install-db also made root@127.0.0.1, root@::1 and root@<hostname> without a
    # password; a client from those hosts would match them before root@'%'.
    other_roots=$(mariadb --socket="$socket" -uroot --batch --skip-column-names \
        -e "SELECT Host FROM mysql.global_priv WHERE User = 'root' AND Host <> 'localhost'")
    {
        for host in $other_roots; do
            echo "DROP USER 'root'@'$(sql_literal "$host")';"
        done
        echo "CREATE USER 'root'@'%' IDENTIFIED BY '$root_password';"
        echo "GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;"
        if [ -n "${MARIADB_DATABASE:-}" ]; then
            echo "CREATE DATABASE IF NOT EXISTS \`${MARIADB_DATABASE//\`/\`\`}\`;"
        fi
        if [ -n "${MARIADB_USER:-}" ]; then
            echo "CREATE USER '$(sql_literal "$MARIADB_USER")'@'%' IDENTIFIED BY '$(sql_literal "${MARIADB_PASSWORD:-}")';"
            if [ -n "${MARIADB_DATABASE:-}" ]; then
                echo "GRANT ALL ON \`${MARIADB_DATABASE//\`/\`\`}\`.* TO '$(sql_literal "$MARIADB_USER")'@'%';"
            fi
        fi
        # Last: the statements above ran over the socket as root without a password.
        echo "ALTER USER 'root'@'localhost' IDENTIFIED BY '$root_password';"
    } | mariadb --socket="$socket" -uroot
    client=(mariadb --socket="$socket" -uroot --password="$MARIADB_ROOT_PASSWORD" ${MARIADB_DATABASE:+"$MARIADB_DATABASE"})
    for file in /docker-entrypoint-initdb.d/*; do
        case "$file" in
            *.sql)    echo "mariadb-base: running $file" >&2; "${client[@]}" < "$file" ;;
            *.sql.gz) echo "mariadb-base: running $file" >&2; gzip -dc "$file" | "${client[@]}" ;;
            *)        [ -e "$file" ] && echo "mariadb-base: ignoring $file" >&2 ;;
        esac
    done
    mariadb-admin --socket="$socket" -uroot --password="$MARIADB_ROOT_PASSWORD" shutdown
    wait "$server" || true
    echo "mariadb-base: initialised" >&2
fi
exec "$@" --user=mysql --datadir="$datadir" --socket="$socket"
