# syntax=docker/dockerfile:1
# meterline image: one program, the role is the argument (`docker run IMAGE ingest`).
#   docker build -t meterline:0.1.0 .
#   docker run --rm -e KAFKA_BROKERS=… -e DATABASE_URL=… meterline:0.1.0 api
ARG NODE_IMAGE=node:20-bookworm-slim

# 1. Build: dev dependencies (TypeScript) compile the sources to dist/.
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: tsc needs node-rdkafka's type declarations only, not its native build
# (that happens once, in the deps stage, where the compiler is).
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
# Runtime files that are not TypeScript (SQL migrations, Avro schemas) are gathered apart.
RUN npm run build \
 && mkdir -p /assets \
 && for d in db avro console; do \
      if [ -d "$d" ]; then find "$d" -type f ! -name '*.ts' -exec cp --parents {} /assets/ \; ; fi; \
    done

# 2. Production dependencies only, installed apart so no build tool reaches the image.
#    node-rdkafka compiles its bundled librdkafka at install: python3, make and g++ here, and
#    OpenSSL's and zlib's headers (without libssl-dev librdkafka silently builds without TLS and
#    SCRAM). Its librdkafka sources and objects (≈ 0.5 GB) are dropped once built: the run stage
#    needs the addon and the two shared libraries beside it (found through the addon's RPATH).
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
ENV NODE_ENV=production
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ libssl-dev zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force \
 && cd node_modules/node-rdkafka \
 && rm -rf deps build/Release/obj.target build/deps/*.a build/deps/librdkafka build/deps/include \
 && test -f build/Release/node-librdkafka.node && test -f build/deps/librdkafka.so.1 && test -f build/deps/librdkafka++.so.1

# 3. Run: dist/ and the launcher, no TypeScript sources. bin/meterline.js runs dist/cli/main.js
#    when cli/main.ts is absent, so tsx (a dev dependency) is never needed here.
FROM ${NODE_IMAGE} AS run
# glibc malloc: two arenas and a low trim/mmap threshold hand freed native memory back (Node's
# buffers, librdkafka): measured on the aggregate role at 100 000 servers, peak RSS 860 → 733–765 MiB
# at the same CPU per sample (docs/performance.md, "The aggregate role's own memory").
ENV NODE_ENV=production \
    PORT=8080 \
    MALLOC_ARENA_MAX=2 \
    MALLOC_TRIM_THRESHOLD_=131072 \
    MALLOC_MMAP_THRESHOLD_=131072
WORKDIR /app
# librdkafka (node-rdkafka) links OpenSSL 3 (libssl3, not in the slim image; Node carries its
# own); ca-certificates lets it verify brokers signed by a public CA when no
# KAFKA_SSL_CA_FILE is given. zlib and libstdc++ are already there (Node needs them).
RUN apt-get update \
 && apt-get install -y --no-install-recommends libssl3 ca-certificates \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 meterline \
 && useradd --system --uid 10001 --gid meterline --home-dir /nonexistent --no-create-home \
      --shell /usr/sbin/nologin meterline
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY --from=build /src/dist ./dist
# The non-TypeScript runtime files go both at the checkout's paths and beside the compiled
# modules, so a module finds them whether it resolves them from the root or from its own URL.
COPY --from=build /assets/ ./
COPY --from=build /assets/ ./dist/
# Numeric ids so Kubernetes' runAsNonRoot can verify the user without reading /etc/passwd.
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["node", "bin/meterline.js"]
CMD ["--help"]
