# demo-keys.Dockerfile - the demo key job of compose.yaml: makes an RSA key pair for the
# gateway (once, in the keys volume) and prints a token for the demo user with depot-token.
# Not a Depot service: with a real identity provider it is not needed.
#
#   docker build -f docker/demo-keys.Dockerfile -t depot-demo-keys .   (context: the repo root)
#
# Two stages: "build" compiles depot-token in debian:12 (its first instructions are the same
# as in the other Depot Dockerfiles, so a builder shares them; see gateway.Dockerfile); the
# image is debian:12-slim with openssl, depot-token and scripts/demo-token.sh, as the
# unprivileged user depot (compose runs the job as root to write into the keys volume).
ARG DEBIAN_VERSION=12

FROM debian:${DEBIAN_VERSION} AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential cmake pkg-config libczmq-dev libzmq3-dev libmariadb-dev libmsgpack-dev \
      libcivetweb-dev libwebsockets-dev libjansson-dev libssl-dev nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# No ../shared here: the tests that need it skip; only binaries are built.
RUN cmake -S . -B /build -DCMAKE_BUILD_TYPE=Release -DDEPOT_SHARED_DIR=/nonexistent
RUN cmake --build /build -j"$(nproc)" --target depot-token

FROM debian:${DEBIAN_VERSION}-slim AS demo-keys
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libjansson4 libssl3 openssl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --no-create-home --shell /usr/sbin/nologin depot
COPY --from=build /build/gateway/depot-token /usr/local/bin/
COPY scripts/demo-token.sh /usr/local/bin/demo-token.sh
USER depot
LABEL org.opencontainers.image.title="depot-demo-keys" \
      org.opencontainers.image.description="Demo keys and token for Depot" \
      org.opencontainers.image.licenses="Apache-2.0"
ENTRYPOINT ["/usr/local/bin/demo-token.sh"]
