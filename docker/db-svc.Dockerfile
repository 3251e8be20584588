# db-svc.Dockerfile - Depot's database service: owns the MariaDB connections and answers the
# resolvers' LOAD and QUERY messages on 5557. Scale it: each replica has its own pool.
#
#   docker build -f docker/db-svc.Dockerfile -t depot-db-svc .      (context: the repo root)
#   docker run --rm depot-db-svc --help      every flag and its environment variable
#
# Two stages: "build" compiles in debian:12 (the same build stage as
# every Depot Dockerfile, built once for all; see gateway.Dockerfile), the image is
# debian:12-slim with the runtime libraries only, as the unprivileged user depot.
ARG DEBIAN_VERSION=12

FROM debian:${DEBIAN_VERSION} AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential cmake pkg-config libczmq-dev libzmq3-dev libmariadb-dev libmsgpack-dev \
      libcivetweb-dev libwebsockets-dev libjansson-dev libssl-dev nodejs \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# GraphiQL's assets (embedded into the gateway) from the npm registry, pinned and checked by the
# lock file, in a layer of their own: a change of the sources does not fetch them again.
COPY tests/js/package-lock.json tests/js/
COPY tools/fetch_graphiql_assets.mjs tools/
# The CA of a TLS-intercepting proxy (PEM), for a build machine whose network has one; the
# tarballs are checked against the lock file's sha512 whatever the TLS.
ARG EXTRA_CA_CERTS=""
RUN if [ -n "$EXTRA_CA_CERTS" ]; then \
      printf '%s\n' "$EXTRA_CA_CERTS" > /tmp/extra-ca.pem && export NODE_EXTRA_CA_CERTS=/tmp/extra-ca.pem; \
    fi \
 && node tools/fetch_graphiql_assets.mjs tests/js/package-lock.json tests/js/node_modules
COPY . .
# Only the binaries: no tests/ (they need python3 and ../shared, neither of which is here).
RUN cmake -S . -B /build -DCMAKE_BUILD_TYPE=Release -DDEPOT_TESTS=OFF
# Every service's binary in one step, the same in each Depot Dockerfile: the first image built
# runs it, the others reuse its layer (one compile for all six images).
RUN cmake --build /build -j"$(nproc)" --target gateway depot-token resolver-svc db-svc feed-svc live-svc

FROM debian:${DEBIAN_VERSION}-slim AS db-svc
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libczmq4 libzmq5 libmsgpackc2 libmariadb3 \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/apt/archives/*.deb \
 && useradd --system --no-create-home --shell /usr/sbin/nologin depot
COPY --from=build /build/db-svc/db-svc /usr/local/bin/
USER depot
LABEL org.opencontainers.image.title="depot-db-svc" \
      org.opencontainers.image.description="Depot's database service for boxtribute" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV DEPOT_DB_BIND=tcp://*:5557
EXPOSE 5557
# The ROUTER accepts connections: db-svc is up (MariaDB's state is /readyz's business).
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s \
  CMD bash -c 'port=${DEPOT_DB_BIND##*:}; exec 3<>"/dev/tcp/127.0.0.1/${port:-5557}"' || exit 1
ENTRYPOINT ["/usr/local/bin/db-svc"]
