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
RUN npm run build && npm prune --omit=dev
# the default world's seeded image (seed/cache.ts), kept in node_modules/.cache: a new /data store
# starts as a copy of it instead of generating rows
RUN node --input-type=module -e "await (await import('./dist/seed/cache.js')).seededImage({ seed: 1, size: 'small' })" \
 && ls node_modules/.cache/tencent-open-emulator/world-s1-small-*.sqlite

# Runtime stage: compiled JS and production modules only, as a non-root user.
# openssl generates the CA and server certificate when EMU_HTTPS=1 (server/tls.ts).
FROM node:20-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends openssl && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    EMU_HOST=0.0.0.0 \
    EMU_PORT=8080 \
    EMU_DB=/data/world.sqlite \
    EMU_CERT_DIR=/data/certs
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=5 \
  CMD ["node", "bin/healthcheck.js"]
CMD ["node", "dist/server/start.js"]
