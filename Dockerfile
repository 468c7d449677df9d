# syntax=docker/dockerfile:1.7
# One Dockerfile, three images: `--target api`, `--target worker`, `--target gateway`.
# Node 22 runs the TypeScript sources directly (type stripping), so there is no build step.

ARG NODE_IMAGE=node:22.23-bookworm-slim

FROM ${NODE_IMAGE} AS base
ENV PNPM_HOME=/pnpm PATH=/pnpm:$PATH CI=true
RUN corepack enable && corepack prepare pnpm@10.34.9 --activate
WORKDIR /app
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json ./
COPY apps/api/package.json apps/api/
COPY apps/worker/package.json apps/worker/
COPY packages/core/package.json packages/core/
COPY packages/sandbox/package.json packages/sandbox/
COPY packages/testbed/package.json packages/testbed/

FROM base AS deps-api
RUN --mount=type=cache,id=pnpm,target=/pnpm/store pnpm install --frozen-lockfile --prod --filter @bridge/api --filter @bridge/core

FROM base AS deps-worker
RUN --mount=type=cache,id=pnpm,target=/pnpm/store pnpm install --frozen-lockfile --prod --filter @bridge/worker --filter @bridge/core

FROM base AS deps-gateway
RUN --mount=type=cache,id=pnpm,target=/pnpm/store pnpm install --frozen-lockfile --prod --filter "@bridge/testbed"

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json pnpm-workspace.yaml ./

FROM runtime AS api
COPY --from=deps-api /app/node_modules ./node_modules
COPY --from=deps-api /app/packages/core/node_modules ./packages/core/node_modules
COPY --from=deps-api /app/apps/api/node_modules ./apps/api/node_modules
COPY packages/core/package.json packages/core/
COPY packages/core/src packages/core/src
COPY apps/api/package.json apps/api/
COPY apps/api/src apps/api/src
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "--max-semi-space-size=32", "apps/api/src/main.ts"]

FROM runtime AS worker
COPY --from=deps-worker /app/node_modules ./node_modules
COPY --from=deps-worker /app/packages/core/node_modules ./packages/core/node_modules
COPY --from=deps-worker /app/apps/worker/node_modules ./apps/worker/node_modules
COPY packages/core/package.json packages/core/
COPY packages/core/src packages/core/src
COPY apps/worker/package.json apps/worker/
COPY apps/worker/src apps/worker/src
# The worker takes no job until every migration it ships with is applied (packages/core/src/store/migrations.ts).
COPY supabase/migrations supabase/migrations
USER node
EXPOSE 9464
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.METRICS_PORT||9464)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "apps/worker/src/main.ts"]

FROM runtime AS gateway
COPY --from=deps-gateway /app/node_modules ./node_modules
COPY --from=deps-gateway /app/packages/testbed/node_modules ./packages/testbed/node_modules
COPY packages/testbed/package.json packages/testbed/
COPY packages/testbed/src packages/testbed/src
USER node
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "packages/testbed/src/gateway-main.ts"]
