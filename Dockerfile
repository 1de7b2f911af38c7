# syntax=docker/dockerfile:1
# Multi-stage build for the api and worker images (the same image, a different command).
# test/image.test.ts assembles these stages as written and runs the result: keep every file the
# code reads at run time in the runtime stage (data beside the modules is built into dist/).

# Node 24 LTS, pinned to a release (package.json engines); bump both together.
ARG NODE_IMAGE=node:24.21.0-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY prisma ./prisma
COPY prisma.config.ts ./
COPY scripts ./scripts
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run prisma:generate && npm run build

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# Install scripts are skipped: the Prisma client is already compiled into dist/, and argon2's
# prebuilt binary loads without its install script.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY prisma/migrations ./prisma/migrations
# The trusted-documents manifest (TRUSTED_DOCUMENTS=only runs just these operations).
COPY schema/sdk/persisted-documents.json ./schema/sdk/persisted-documents.json
# Operation names the metrics may use as labels (src/platform/operation-names.ts).
COPY schema/operations ./schema/operations
USER node
EXPOSE 4000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/main.js"]
