# Dockerfile builds stanced as a static binary and ships it alone on a
# distroless base, running as a non-root user.
#
#   docker build -t stanced .
#   docker run --rm -p 50051:50051 stanced
#
# The model, its tokenizer and its lexicon are embedded in the binary, so
# the image needs no other files; mount a lexicon and pass --lexicon to use
# another one.

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags='-s -w' -o /out/stanced ./cmd/stanced

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/stanced /stanced
USER nonroot:nonroot
# 50051 serves gRPC; 9090 serves Prometheus /metrics when STANCE_METRICS_ADDR
# (or --metrics-addr) asks for it, as deploy/k8s does.
EXPOSE 50051 9090
# Listen on every interface inside the container; the platform decides what
# reaches it.
ENV STANCE_LISTEN=0.0.0.0:50051
ENTRYPOINT ["/stanced"]
