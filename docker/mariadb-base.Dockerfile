# mariadb-base.Dockerfile - a stand-in for the mariadb:10.11 image, built from debian:12-slim
# with Debian's mariadb-server (10.11), for a machine that cannot reach Docker Hub
# (scripts/compose_ci.sh builds it then). It does what compose.yaml uses of the official image:
# the MARIADB_* variables, /docker-entrypoint-initdb.d (*.sql, *.sql.gz, in name order) on the
# first start, server options as the command, and healthcheck.sh --connect --innodb_initialized.
#
#   docker build -f docker/mariadb-base.Dockerfile -t depot-mariadb-base:10.11 .
#   DEPOT_MARIADB_IMAGE=depot-mariadb-base:10.11 docker-compose build mariadb
ARG DEBIAN_VERSION=12

FROM debian:${DEBIAN_VERSION}-slim
# policy-rc.d: the package's scripts must not start a server inside the build. The datadir the
# package initialised is emptied, or a new volume would be seeded with it and the first start
# would skip MARIADB_*'s users and the init scripts.
RUN printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d \
 && apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends mariadb-server \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/apt/archives/*.deb /usr/sbin/policy-rc.d \
 && rm -rf /var/lib/mysql && mkdir -p /var/lib/mysql /run/mysqld \
 && chown mysql:mysql /var/lib/mysql /run/mysqld \
 && printf '[mariadbd]\nbind-address = 0.0.0.0\nskip-name-resolve\n' \
      > /etc/mysql/mariadb.conf.d/90-container.cnf
COPY docker/mariadb-base-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
COPY docker/mariadb-base-healthcheck.sh /usr/local/bin/healthcheck.sh
VOLUME /var/lib/mysql
EXPOSE 3306
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["mariadbd"]
