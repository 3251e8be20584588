# demo-keys.Dockerfile - the demo key job of compose.yaml: makes an RSA key pair for the
# gateway (once, in the keys volume) and prints a token for the demo user with depot-token.
# Not a Depot service: with a real identity provider it is not needed.
#
#   docker build -f docker/demo-keys.Dockerfile -t depot-demo-keys .   (context: the repo root)
#
# Two stages: "build" compiles depot-token in debian:12 (the same build stage as every Depot
# Dockerfile, built once for all; see gateway.Dockerfile); the
# image is debian:12-slim with openssl, depot-token and scripts/demo-token.sh, as the
# unprivileged user depot (compose runs the job as root to write into the keys volume).
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

FROM debian:${DEBIAN_VERSION}-slim AS demo-keys
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libjansson4 libssl3 openssl \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/apt/archives/*.deb \
 && useradd --system --no-create-home --shell /usr/sbin/nologin depot
COPY --from=build /build/gateway/depot-token /usr/local/bin/
COPY scripts/demo-token.sh /usr/local/bin/demo-token.sh
USER depot
LABEL org.opencontainers.image.title="depot-demo-keys" \
      org.opencontainers.image.description="Demo keys and token for Depot" \
      org.opencontainers.image.licenses="Apache-2.0"
ENTRYPOINT ["/usr/local/bin/demo-token.sh"]
