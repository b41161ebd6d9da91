# Multi-stage build: a static, cgo-free binary on a small base.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /out/jiaxiao ./cmd/jiaxiao

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates tzdata curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home /var/lib/jiaxiao jiaxiao \
 && mkdir -p /var/lib/jiaxiao && chown jiaxiao /var/lib/jiaxiao
COPY --from=build /out/jiaxiao /usr/local/bin/jiaxiao
USER jiaxiao
WORKDIR /var/lib/jiaxiao
ENV JIAXIAO_ADDR=:8080 JIAXIAO_DATA_DIR=/var/lib/jiaxiao
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["jiaxiao"]
CMD ["serve"]
