# depot.Dockerfile - Depot's services: built once in debian:12, run from debian:12-slim.
#
# Targets (compose.yaml picks one per service):
#   gateway        HTTP front (port 5005) and broker; binds the resolvers' backend (5556)
#   resolver-svc   resolver actors; connects to the gateway and to every db-svc
#   db-svc         the DB actor, owns the MariaDB connections; binds 5557
#   tools          depot-token, depot-gen, openssl and scripts/demo-token.sh (demo key job)
#   depot          all three services in one process (the default target)
# Build context: the repository root (see .dockerignore).
# GraphiQL's assets (graphiql, react, react-dom; pinned in tests/js/package-lock.json) are
# installed from npm in the build stage and embedded into the gateway and depot binaries, so
# the images fetch nothing at run time.
#
# Replicas: resolver-svc's entrypoint (docker/resolver-entrypoint.sh) resolves each host in
# DEPOT_DB_CONNECT to all its addresses, so `--scale db-svc=N` gives every resolver a
# connection to every db-svc replica and it spreads its LOAD/QUERY messages over them round
# robin. Resolvers connect to the one gateway, which hands each request to the resolver with
# free credit and the fewest requests in flight.
ARG DEBIAN_VERSION=12

FROM debian:${DEBIAN_VERSION} AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential cmake pkg-config libczmq-dev libzmq3-dev libmariadb-dev libmsgpack-dev \
      libcivetweb-dev libjansson-dev libssl-dev nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# No ../shared here: the tests that need it skip; only the binaries are built.
RUN cmake -S . -B /build -DCMAKE_BUILD_TYPE=Release -DDEPOT_SHARED_DIR=/nonexistent \
 && cmake --build /build -j"$(nproc)" \
      --target gateway resolver-svc db-svc depot depot-token depot-gen

FROM debian:${DEBIAN_VERSION}-slim AS runtime
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libczmq4 libzmq5 libmariadb3 libmsgpackc2 libcivetweb1 libjansson4 libssl3 \
      ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --no-create-home --shell /usr/sbin/nologin depot
USER depot

FROM runtime AS gateway
COPY --from=build /build/gateway/gateway /build/gateway/depot-token /usr/local/bin/
ENV DEPOT_PORT=5005 DEPOT_BACKEND_BIND=tcp://*:5556
EXPOSE 5005 5556
HEALTHCHECK --interval=10s --timeout=3s CMD curl -fs http://127.0.0.1:5005/healthz || exit 1
ENTRYPOINT ["/usr/local/bin/gateway"]

FROM runtime AS resolver-svc
COPY --from=build /build/resolver-svc/resolver-svc /usr/local/bin/
COPY docker/resolver-entrypoint.sh /usr/local/bin/resolver-entrypoint.sh
ENTRYPOINT ["/usr/local/bin/resolver-entrypoint.sh", "/usr/local/bin/resolver-svc"]

FROM runtime AS db-svc
COPY --from=build /build/db-svc/db-svc /usr/local/bin/
ENV DEPOT_DB_BIND=tcp://*:5557
EXPOSE 5557
ENTRYPOINT ["/usr/local/bin/db-svc"]

FROM runtime AS tools
USER root
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends openssl \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /build/gateway/depot-token /build/tools/depot-gen /usr/local/bin/
COPY scripts/demo-token.sh /usr/local/bin/demo-token.sh
USER depot

FROM runtime AS depot
COPY --from=build /build/depot/depot /build/gateway/depot-token /usr/local/bin/
ENV DEPOT_PORT=5005
EXPOSE 5005
HEALTHCHECK --interval=10s --timeout=3s CMD curl -fs http://127.0.0.1:5005/healthz || exit 1
ENTRYPOINT ["/usr/local/bin/depot"]
