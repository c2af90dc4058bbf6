# syntax=docker/dockerfile:1
# One image for every process of the estate: auth, edge, sts, orders, inventory, the SPA's static
# server and the one-shot certs and jetstream jobs. docker-compose.yml picks the process by its command
# (`node dist/apps/<app>/main.js`). See deploy/README.md.
#
# NODE_IMAGE: the current LTS line (Node.js 26, Active LTS since 2026-10-28) on Debian 13 slim.
# The project itself needs Node.js >= 20.19 (package.json engines).
ARG NODE_IMAGE=node:26-trixie-slim

# --- build: all dependencies, compile (tsc -b + the SPA bundle), then drop the dev dependencies
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
# What goes in is filtered by .dockerignore (no node_modules, dist, tests, keys, .env).
COPY . .
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && rm -rf dist/tsbuild

# --- runtime: production dependencies and dist/ only, as the unprivileged `node` user (uid 1000)
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
# Mount points of the certificate volumes. A named volume takes the owner and mode of the folder
# it is first mounted on, so these make the volumes writable by the certs job (running as node)
# and unreadable by anyone else. nats-1 ... nats-3 and /estate/sts: the `cluster` profile's nodes
# and the STS replicas' shared signing keys.
RUN mkdir -p /estate/certs /estate/out/nats /estate/out/edge /estate/out/sts /estate/out/orders /estate/out/inventory /estate/out/admin \
    /estate/out/nats-1 /estate/out/nats-2 /estate/out/nats-3 /estate/sts \
 && chown -R node:node /estate \
 && chmod -R 0700 /estate
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY deploy/healthcheck.mjs deploy/prepare-estate.mjs ./deploy/
USER node
CMD ["node", "dist/apps/edge/main.js"]
