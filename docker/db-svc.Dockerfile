# db-svc.Dockerfile - Depot's database service: owns the MariaDB connections and answers the
# resolvers' LOAD and QUERY messages on 5557. Scale it: each replica has its own pool.
#
#   docker build -f docker/db-svc.Dockerfile -t depot-db-svc .      (context: the repo root)
#   docker run --rm depot-db-svc --help      every flag and its environment variable
#
# Two stages: "build" compiles in debian:12 (its first instructions are the same as in the
# other Depot Dockerfiles, so a builder shares them; see gateway.Dockerfile), the image is
# debian:12-slim with the runtime libraries only, as the unprivileged user depot.
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
RUN cmake --build /build -j"$(nproc)" --target db-svc

FROM debian:${DEBIAN_VERSION}-slim AS db-svc
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libczmq4 libzmq5 libmsgpackc2 libmariadb3 \
 && rm -rf /var/lib/apt/lists/* \
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
