# syntax=docker/dockerfile:1
# cloudconform in a container: docker build -t cloudconform .
#   docker run --rm -v "$PWD:/src:ro" cloudconform scan .
# The build stage packs the package exactly as npm would publish it; the image installs that
# tarball, which holds the whole bundle, and the history's native SQLite module (no compiler):
# ~3 MB over node:20-slim, plus better-sqlite3.
FROM node:20-slim AS build
WORKDIR /build
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build before the sources are copied; the build runs below.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY . .
RUN npm run build \
 && npm pack --ignore-scripts --pack-destination /tmp \
 && mv /tmp/cloudconform-*.tgz /tmp/cloudconform.tgz

FROM node:20-slim
COPY --from=build /tmp/cloudconform.tgz /tmp/cloudconform.tgz
# --offline: the tarball and the build stage's npm cache (mounted, not copied) are all there is to
# install; a dependency to fetch would fail the build. The history's better-sqlite3 (an optional
# dependency) comes from that cache and its install script takes the prebuilt binary for this
# platform (or, without network, is left out: the image then scans without recording history).
RUN --mount=type=bind,from=build,source=/root/.npm,target=/root/.npm,rw \
    npm install --global --omit=dev --offline --no-audit --no-fund /tmp/cloudconform.tgz \
 && rm /tmp/cloudconform.tgz
# The image's unprivileged user `node` (1000:1000): a scanned repository is input, never run as root.
USER 1000:1000
WORKDIR /src
ENTRYPOINT ["cloudconform"]
CMD ["scan", "."]
