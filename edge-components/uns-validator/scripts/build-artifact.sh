#!/usr/bin/env bash
# Builds the Greengrass artifact dist/uns-validator.zip reproducibly: the same sources and lock file
# give the same bytes (sorted entries, fixed time stamps and modes, no absolute paths).
set -euo pipefail
source "$(dirname "$0")/../../common/scripts/artifact.sh"
stage_artifact

# One bundle per entry (the CLI and the worker threads' module). PGlite loads its WebAssembly
# files from its own package directory, so it ships as a package beside the bundle.
"$root/node_modules/.bin/esbuild" \
  "$here/src/main.ts" "$here/src/service/validation-worker.ts" \
  --bundle --platform=node --target=node20 --format=cjs --main-fields=module,main --entry-names=[name] \
  --external:@electric-sql/pglite --external:pg-native --external:aws-crt --external:koffi \
  --legal-comments=none --log-level=warning --outdir="$staging"

cp -r "$root/validation-store/migrations" "$staging/migrations"
mkdir -p "$staging/asyncapi"
cp "$root"/asyncapi/*.yaml "$staging/asyncapi/"
mkdir -p "$staging/node_modules/@electric-sql"
cp -r "$root/node_modules/@electric-sql/pglite" "$staging/node_modules/@electric-sql/pglite"

# The compliance dashboard, served by the validator on the device (http.dashboardDir: dashboard).
# NODE_ENV pinned: Vite builds React's development bundle when its caller runs with NODE_ENV=test
# (a test runner), which would give other bytes from the same sources.
(cd "$root/dashboard" && NODE_ENV=production "$root/node_modules/.bin/vite" build --logLevel warn --outDir "$staging/dashboard" --emptyOutDir)
ship_aws_crt
ship_koffi

zip_artifact uns-validator 9
