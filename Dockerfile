# Build a static binary, then ship it alone on a minimal image.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /out/gonogo ./cmd/web \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/gonogo /gonogo
COPY --from=build --chown=nonroot:nonroot /out/data /data
USER nonroot:nonroot
ENV GONOGO_ADDR=:8080 GONOGO_DB=/data/gonogo.db
VOLUME /data
EXPOSE 8080
ENTRYPOINT ["/gonogo"]
