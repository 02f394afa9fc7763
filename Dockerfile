# syntax=docker/dockerfile:1
# Beacon's api (and, with another command, its dispatcher) as built and run by docker-compose.yml.
FROM node:20-bookworm-slim

WORKDIR /app
# The pnpm of package.json's "packageManager", through npm: corepack cannot verify every registry's
# metadata (see scripts/tooling.mjs).
RUN npm install --global --no-audit --no-fund pnpm@10.34.9

# Dependencies first, from the lockfile alone, so that source changes reuse this layer.
COPY pnpm-lock.yaml pnpm-workspace.yaml ./
RUN pnpm fetch

COPY . .
RUN pnpm install --frozen-lockfile --offline \
  && pnpm --filter @beacon/db generate \
  && pnpm -r build \
  && date -u +%Y-%m-%dT%H:%M:%S.000+0000 > .build-time

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080
EXPOSE 8080
USER node

# Migrations first (idempotent, and serialised by an advisory lock when replicas start together),
# then the api. BUILD_TIME is what GET /push/service/status reports as buildTime.
CMD ["sh", "-c", "export BUILD_TIME=\"${BUILD_TIME:-$(cat .build-time)}\" && node packages/db/dist/migrate-cli.js && exec node services/api/dist/server.js"]
