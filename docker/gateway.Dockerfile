# gateway.Dockerfile - Depot's gateway: HTTP on 5005 (GraphQL, GraphiQL, /healthz, /readyz,
# /metrics), JWT verification, and the broker that resolver-svc replicas connect to on 5556.
#
#   docker build -f docker/gateway.Dockerfile -t depot-gateway .      (context: the repo root)
#   docker run --rm depot-gateway --help      every flag and its environment variable
#
# Two stages: "build" compiles in debian:12 with the -dev packages; the image is
# debian:12-slim with the runtime libraries only, running as the unprivileged user depot.
# GraphiQL's assets (graphiql, react, react-dom; pinned in tests/js/package-lock.json) are
# fetched from the npm registry (tools/fetch_graphiql_assets.mjs, no npm needed)
# and embedded into the binary: nothing is fetched at run time. The build
# stage is the same, instruction for instruction, in every Depot Dockerfile (gateway,
# resolver-svc, db-svc, feed-svc, live-svc, demo-keys) and compiles all their binaries, so
# the builder runs it (packages, assets, sources, compile) once and every other image reuses its
# layers; only the runtime stage differs.
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

FROM debian:${DEBIAN_VERSION}-slim AS gateway
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libczmq4 libzmq5 libmsgpackc2 libjansson4 libssl3 libcivetweb1 curl \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/apt/archives/*.deb \
 && useradd --system --no-create-home --shell /usr/sbin/nologin depot
COPY --from=build /build/gateway/gateway /build/gateway/depot-token /usr/local/bin/
USER depot
LABEL org.opencontainers.image.title="depot-gateway" \
      org.opencontainers.image.description="Depot's GraphQL gateway for boxtribute" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV DEPOT_PORT=5005 DEPOT_BACKEND_BIND=tcp://*:5556
EXPOSE 5005 5556
# /healthz: the process answers. Route traffic by /readyz (a probe through a resolver, db-svc
# and MariaDB), which a container healthcheck must not gate start-up on: resolvers start
# after the gateway.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s \
  CMD curl -fs "http://127.0.0.1:${DEPOT_PORT:-5005}/healthz" || exit 1
ENTRYPOINT ["/usr/local/bin/gateway"]
