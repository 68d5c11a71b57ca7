# syntax=docker/dockerfile:1
# Build stage: compile better-sqlite3 and the TypeScript sources.
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# bin/prepare.js is npm ci's prepare step: it skips the build here (no sources yet)
COPY bin ./bin
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY server ./server
COPY routes ./routes
COPY db ./db
COPY seed ./seed
COPY test ./test
COPY examples ./examples
RUN npm run build && npm prune --omit=dev
# one start of the CMD, stopped once it listens (bin/warm-cache.js), keeps in node_modules/.cache
# what the runtime user could not write there: the default world's seeded image (seed/cache.ts: a
# new /data store starts as a copy of it instead of generating rows) and V8's code cache of the
# bundle (server/code_cache.ts: the start skips compiling it). Same node binary as the runtime's.
RUN node bin/warm-cache.js dist/tencent-open-emulator.js \
 && ls node_modules/.cache/tencent-open-emulator/world-s1-small-*.sqlite node_modules/.cache/tencent-open-emulator/code-*.v8

# Runtime stage: compiled JS and production modules only, as a non-root user, on the ports the
# real services use: 80 (http://open.t.qq.com/api/...) and 443 (https://graph.qq.com/...,
# https://open.t.qq.com/cgi-bin/...) in one process. A non-root user may bind them because node
# carries the cap_net_bind_service file capability (setcap below); docker-compose.yml also sets
# the net.ipv4.ip_unprivileged_port_start=0 sysctl. Where neither is allowed (a runtime with
# no-new-privileges and no sysctl), set EMU_PORT=8080 EMU_HTTPS_PORT=8443 (README, Docker).
# openssl generates the CA and server certificate on first start (server/tls.ts) into
# /data/certs (CA key 0600, keep it there); /ca gets ca.pem alone, the volume apps mount read-only.
FROM node:20-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends openssl libcap2-bin \
  && setcap cap_net_bind_service=+ep "$(readlink -f /usr/local/bin/node)" \
  && apt-get purge -y libcap2-bin && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    EMU_HOST=0.0.0.0 \
    EMU_PORT=80 \
    EMU_HTTPS_PORT=443 \
    EMU_DB=/data/world.sqlite \
    EMU_CERT_DIR=/data/certs \
    EMU_CA_DIR=/ca
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY --from=build /app/examples ./examples
RUN mkdir -p /data /ca && chown node:node /data /ca
USER node
VOLUME ["/data", "/ca"]
EXPOSE 80 443
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=5 \
  CMD ["node", "bin/healthcheck.js"]
# the one-file build (bin/bundle.js): starts in about a third of the time dist/server/start.js takes
CMD ["node", "dist/tencent-open-emulator.js"]
