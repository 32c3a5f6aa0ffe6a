# Build a static binary, then ship it alone on a minimal non-root image.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/repertoire ./cmd/repertoire && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/repertoire /usr/local/bin/repertoire
COPY --from=build --chown=65532:65532 /out/data /data
# The SQLite file (and its WAL) lives on a volume so it survives upgrades.
VOLUME ["/data"]
ENV REPERTOIRE_DB=/data/repertoire.db
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/repertoire"]
CMD ["run"]
