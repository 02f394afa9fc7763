# syntax=docker/dockerfile:1
# Beacon's production image, one for both services:
#   api (the default command): applies the migrations, then serves the API on PORT (8080);
#   dispatcher: `node services/dispatcher/dist/server.js`, health on METRICS_PORT.
# Run by docker-compose.yml and deploy/kubernetes/. There is no Docker engine on the development
# machines: tests/deploy/test/dockerfile.test.ts checks this file's structure instead.

# ---- build: every dependency (TypeScript, Prisma's generator), then the compiled JavaScript.
FROM node:20.19.5-bookworm-slim AS build
WORKDIR /app
# The pnpm of package.json's "packageManager", through npm: corepack cannot verify every registry's
# metadata (see scripts/tooling.mjs).
RUN npm install --global --no-audit --no-fund pnpm@10.34.9

# Dependencies first, from the lockfile alone, so that source changes reuse this layer. The
# patches pnpm-workspace.yaml names come with it: pnpm reads them to resolve the lockfile.
COPY pnpm-lock.yaml pnpm-workspace.yaml ./
COPY patches ./patches
RUN pnpm fetch

COPY . .
RUN pnpm install --frozen-lockfile --offline \
  && pnpm --filter @beacon/db generate \
  && pnpm --filter-prod "@beacon/api..." --filter-prod "@beacon/dispatcher..." build \
  && date -u +%Y-%m-%dT%H:%M:%S.000+0000 > .build-time

# Production dependencies only, for the api and the dispatcher and the workspace packages they
# import (`--filter-prod NAME...`: dependencies, not devDependencies, so not the testkit), from the
# store `pnpm fetch` filled: no download.
# --no-optional: the lockfile resolves @prisma/client's optional peers, Prisma's CLI and TypeScript,
# from the root's devDependencies and records them as its optional dependencies; --prod alone
# installs them and what they pull in (React, Prisma Studio, pglite, mysql2, @types/*): 420
# packages, 414 MB. Nothing at run time needs them: the migration runner is our own (pg). The
# other optional dependencies this drops are unused too (firebase-admin's Firestore and Cloud
# Storage, pg's Cloudflare socket). auto-install-peers=false instead would not match the lockfile
# (a frozen install refuses); deleting packages afterwards would be a list to keep up by hand.
# tests/deploy/test/production-install.test.ts runs this command and starts the services from
# what it leaves, and fails on an optional dependency dropped that is not one of these.
# The workspace layout is kept (pnpm deploy would move packages/db away from prisma/migrations,
# which the migration runner finds relative to itself).
RUN rm -rf node_modules packages/*/node_modules services/*/node_modules tests/*/node_modules bench/node_modules \
  && pnpm install --prod --frozen-lockfile --offline --no-optional --filter-prod "@beacon/api..." --filter-prod "@beacon/dispatcher..." \
  && mkdir -p /runtime/prisma \
  && cp -a node_modules package.json .build-time /runtime/ \
  && cp -a prisma/migrations /runtime/prisma/ \
  && for dir in packages/* services/*; do \
       if [ -d "$dir/dist" ]; then \
         mkdir -p "/runtime/$dir" && cp -a "$dir/package.json" "$dir/dist" "/runtime/$dir/" \
         && if [ -d "$dir/node_modules" ]; then cp -a "$dir/node_modules" "/runtime/$dir/"; fi; \
       fi; \
     done

# ---- runtime: Node, tini, the compiled services and their production dependencies.
FROM node:20.19.5-bookworm-slim AS runtime
# tini as PID 1: forwards SIGTERM to Node (which then closes gracefully, close-with-grace) and
# reaps the children a `sh -c` command leaves.
RUN apt-get update \
  && apt-get install --yes --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Owned by root, read-only to the service: it runs with a read-only root filesystem too.
COPY --from=build /runtime/ ./

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080
EXPOSE 8080
# The node user of the base image, by number: Kubernetes' runAsNonRoot can only verify a numeric user.
USER 1000:1000

# Liveness of whichever service runs: the api answers /healthz on PORT (and on METRICS_PORT when
# set), the dispatcher on METRICS_PORT (no listener without it: set it, or disable the check).
# Plain http: with TLS on the api's port, set METRICS_PORT. The image has no curl: Node's fetch.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.METRICS_PORT || process.env.PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

ENTRYPOINT ["/usr/bin/tini", "--"]
# Migrations first (idempotent, and serialised by an advisory lock when replicas start together),
# then the api in the shell's place. BUILD_TIME is what GET /push/service/status reports as buildTime.
CMD ["sh", "-c", "export BUILD_TIME=\"${BUILD_TIME:-$(cat .build-time)}\" && node packages/db/dist/migrate-cli.js && exec node services/api/dist/server.js"]
