# Socketizer container image: the compiled executable on a distroless glibc base.
#   docker build -t socketizer .
#   docker run -d --name socketizer -p 127.0.0.1:8080:8080 -v socketizer-data:/var/lib/socketizer \
#     --ulimit nofile=110000:110000 --stop-timeout 15 socketizer
# docs/deploy.md has the rest.

# Build stage: npm ci installs Bun 1.4.4 from package-lock.json as a dev dependency, the same
# way as CI, so the image is built with the Bun version that the tests ran on.
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json bunfig.toml ./
COPY scripts scripts
COPY src src
RUN npm run build && mkdir -p /empty

# Final stage: the compiled Bun executable links only glibc (libc, libpthread, libdl, libm),
# which the distroless base image has. The nonroot tag runs as uid and gid 65532.
FROM gcr.io/distroless/base-debian12:nonroot
COPY --from=build /src/dist/socketizer /opt/socketizer/socketizer
COPY --from=build --chown=65532:65532 /empty /var/lib/socketizer
ENV SOCKETIZER_LISTEN=0.0.0.0:8080 \
    SOCKETIZER_DATA_DIR=/var/lib/socketizer
VOLUME /var/lib/socketizer
EXPOSE 8080
USER 65532:65532
# On SIGTERM the service closes every socket with 1001 and exits within
# SOCKETIZER_SHUTDOWN_TIMEOUT_MS (default 8000) plus 1 s. Docker's default stop timeout is
# 10 s, so run with --stop-timeout 15 (Compose: stop_grace_period: 15s).
STOPSIGNAL SIGTERM
# The image has no shell or curl. "socketizer healthcheck" requests /healthz on the port of
# SOCKETIZER_LISTEN and exits 0 on a 200.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["/opt/socketizer/socketizer", "healthcheck"]
ENTRYPOINT ["/opt/socketizer/socketizer"]
CMD ["serve"]
