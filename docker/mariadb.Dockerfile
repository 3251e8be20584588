# mariadb.Dockerfile - MariaDB 10.11 that creates Depot's database on first start:
# db/ddl.sql, db/indexes.sql and depot-gen's demo data, run by the image's entrypoint from
# /docker-entrypoint-initdb.d in name order, into $MARIADB_DATABASE (dropapp_dev).
#
#   build args: DEMO_BOXES (8201: live boxes of base 1), DEMO_SEED (1), MARIADB_IMAGE
#   (mariadb:10.11; without Docker Hub, depot-mariadb-base:10.11 from
#   docker/mariadb-base.Dockerfile, which scripts/compose_ci.sh builds)
# Build context: the repository root. depot-gen needs only a C compiler and libc (and lib's
# dp_md5.c, which it compiles in).
ARG DEBIAN_VERSION=12
ARG MARIADB_IMAGE=mariadb:10.11

FROM debian:${DEBIAN_VERSION} AS demo-data
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends gcc libc6-dev \
 && rm -rf /var/lib/apt/lists/*
COPY tools/depot_gen.c lib/src/dp_md5.c lib/include/dp_md5.h /src/
RUN gcc -std=gnu11 -O2 -Wall -Wextra -Werror -Wno-unused-parameter -I/src \
        -o /usr/local/bin/depot-gen /src/depot_gen.c /src/dp_md5.c \
 && depot-gen --selftest
ARG DEMO_BOXES=8201
ARG DEMO_SEED=1
RUN depot-gen --boxes "$DEMO_BOXES" --seed "$DEMO_SEED" | gzip -9 > /30-demo-data.sql.gz

FROM ${MARIADB_IMAGE}
COPY db/ddl.sql /docker-entrypoint-initdb.d/10-ddl.sql
COPY db/indexes.sql /docker-entrypoint-initdb.d/20-indexes.sql
COPY db/idempotency.sql /docker-entrypoint-initdb.d/25-idempotency.sql
COPY db/feed.sql /docker-entrypoint-initdb.d/26-feed.sql
COPY --from=demo-data /30-demo-data.sql.gz /docker-entrypoint-initdb.d/30-demo-data.sql.gz
