# Drover server image. One image, three roles chosen by the command:
#   API (default)  node apps/api/dist/main.js              applies migrations, then serves :3000 (API + console)
#   worker         node apps/worker/dist/main.js           advances deployments, sweeps timeouts, reconciles
#   host agent     node apps/agent/dist/drover-agent.mjs   for the demo only; real hosts run the agent natively
# The API and worker run compiled JavaScript (`pnpm build:server`), not TypeScript through tsx.
# See docker-compose.yml and docs/operations.md.

# Node 22 LTS, as package.json's engines say.
FROM node:22-bookworm-slim AS base
# A plain npm install of pnpm, not corepack: corepack's signature check fails on registries that strip
# dist.signatures. The version matches the one that wrote pnpm-lock.yaml.
RUN npm i -g pnpm@12.21.0 && pnpm --version
WORKDIR /app

# Dependencies only, so that source edits reuse this layer. The root postinstall (prisma generate) needs the
# schema, the Prisma config and the offline schema-engine shim, so those come along.
FROM base AS deps
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml .npmrc prisma.config.ts ./
COPY scripts/prisma-generate.mjs scripts/
COPY tools/prisma-engine-shim tools/prisma-engine-shim
COPY prisma prisma
COPY apps/agent/package.json apps/agent/
COPY apps/api/package.json apps/api/
COPY apps/cli/package.json apps/cli/
COPY apps/console/package.json apps/console/
COPY apps/worker/package.json apps/worker/
COPY packages/alarms/package.json packages/alarms/
COPY packages/appspec/package.json packages/appspec/
COPY packages/client/package.json packages/client/
COPY packages/config/package.json packages/config/
COPY packages/contracts/package.json packages/contracts/
COPY packages/db/package.json packages/db/
COPY packages/domain/package.json packages/domain/
COPY packages/engine/package.json packages/engine/
COPY packages/testing/package.json packages/testing/
COPY packages/traffic/package.json packages/traffic/
RUN pnpm install --frozen-lockfile

# Sources, then the bundles: API and worker (apps/*/dist/main.js), console (apps/console/dist, served by the API),
# agent and CLI (single-file .mjs).
FROM deps AS build
COPY . .
RUN pnpm run build

# The API and worker bundles hold our code but load installed packages from node_modules (and read prisma/migrations
# and install.sh beside the sources), so the runtime keeps the built tree. Everything is owned by root and read-only
# to the process; only DATA_DIR is writable.
FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production \
    DATA_DIR=/var/lib/drover
WORKDIR /app
# git (and ssh for ssh:// remotes) builds Git revisions' bundles (docs/revision-sources.md).
RUN apt-get update \
 && apt-get install -y --no-install-recommends git openssh-client ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /app /app
RUN mkdir -p /var/lib/drover && chown node:node /var/lib/drover
USER node
VOLUME ["/var/lib/drover"]
EXPOSE 3000
# No HEALTHCHECK here: only the API role serves HTTP. docker-compose.yml probes the API's /readyz.
CMD ["node", "apps/api/dist/main.js"]
