# resolver-svc.Dockerfile - Depot's resolvers: run GraphQL requests from the gateway against
# every db-svc. Scale it: each replica connects to the gateway and to every db-svc.
#
#   docker build -f docker/resolver-svc.Dockerfile -t depot-resolver-svc .   (context: repo root)
#   docker run --rm depot-resolver-svc --help      every flag and its environment variable
#
# Two stages: "build" compiles in debian:12 (the same build stage as
# every Depot Dockerfile, built once for all; see gateway.Dockerfile), the image is
# debian:12-slim with the runtime libraries only, as the unprivileged user depot.
# The entrypoint (docker/resolver-entrypoint.sh) resolves each host in DEPOT_DB_CONNECT to
# all its addresses, so `--scale db-svc=N` gives every resolver a connection to every db-svc
# replica; the resolver then sends each LOAD/QUERY to the live one with the fewest waiting.
# It listens on no port (it connects to the gateway's 5556 and db-svc's 5557), so the image
# has no HEALTHCHECK: the gateway's /readyz and depot_broker_resolvers show live resolvers.
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

FROM debian:${DEBIAN_VERSION}-slim AS resolver-svc
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libczmq4 libzmq5 libmsgpackc2 libjansson4 \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/apt/archives/*.deb \
 && useradd --system --no-create-home --shell /usr/sbin/nologin depot
COPY --from=build /build/resolver-svc/resolver-svc /usr/local/bin/
COPY docker/resolver-entrypoint.sh /usr/local/bin/resolver-entrypoint.sh
USER depot
LABEL org.opencontainers.image.title="depot-resolver-svc" \
      org.opencontainers.image.description="Depot's GraphQL resolvers for boxtribute" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV DEPOT_BACKEND_CONNECT=tcp://gateway:5556 DEPOT_DB_CONNECT=tcp://db-svc:5557
ENTRYPOINT ["/usr/local/bin/resolver-entrypoint.sh", "/usr/local/bin/resolver-svc"]
