# feed-svc.Dockerfile - Depot's change feed: follows MariaDB's binary log and publishes every
# committed row change on 5558 (ZeroMQ PUB). One per deployment: never scale it.
#
#   docker build -f docker/feed-svc.Dockerfile -t depot-feed-svc .      (context: the repo root)
#   docker run --rm depot-feed-svc --help      every flag and its environment variable
#
# Two stages, as db-svc.Dockerfile (the same build stage, built once for all).
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

FROM debian:${DEBIAN_VERSION}-slim AS feed-svc
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libczmq4 libzmq5 libmsgpackc2 libmariadb3 \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/apt/archives/*.deb \
 && useradd --system --no-create-home --shell /usr/sbin/nologin depot
COPY --from=build /build/feed-svc/feed-svc /usr/local/bin/
USER depot
LABEL org.opencontainers.image.title="depot-feed-svc" \
      org.opencontainers.image.description="Depot's change feed for boxtribute" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV DEPOT_FEED_BIND=tcp://*:5558
ENV DEPOT_FEED_WRITES_BIND=tcp://*:5559
EXPOSE 5558 5559
# The PUB socket accepts connections: feed-svc is up (its mode is in the gateway's /metrics).
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s \
  CMD bash -c 'port=${DEPOT_FEED_BIND##*:}; exec 3<>"/dev/tcp/127.0.0.1/${port:-5558}"' || exit 1
ENTRYPOINT ["/usr/local/bin/feed-svc"]
