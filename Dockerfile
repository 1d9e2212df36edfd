# syntax=docker/dockerfile:1
# The caseline binary in a small image (deploy/compose.yaml runs it; README.md "Running it").
# Built static (no cgo) in the official Go image; run from distroless's static base, which
# holds CA certificates (Twilio is HTTPS) and a nonroot user, and no shell or package
# manager. Time zones are compiled into the binary (time/tzdata).
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
	CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /out/caseline ./cmd/caseline
# serve's inbound spool (SPOOL_DIR): a volume mounted here starts with this owner.
RUN mkdir -p /out/spool

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/caseline /caseline
COPY --from=build --chown=nonroot:nonroot /out/spool /spool
USER nonroot:nonroot
EXPOSE 8080
# `caseline health` is the health check: there is no curl in this image.
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 CMD ["/caseline", "health"]
ENTRYPOINT ["/caseline"]
CMD ["serve"]
