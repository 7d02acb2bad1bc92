# tlsgate lab image. The build stage runs scripts/build.sh, the same build
# step CI runs (scripts/test.sh), so the image holds what CI tested.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN ./scripts/build.sh /out

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl openssl \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/ /usr/local/bin/
COPY config.toml /etc/tlsgate/config.toml
WORKDIR /var/lib/tlsgate
ENTRYPOINT ["tlsgate"]
CMD ["run", "-c", "/etc/tlsgate/config.toml"]
