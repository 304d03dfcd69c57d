#!/usr/bin/env bash
# Builds the Greengrass artifact dist/uns-validator.zip reproducibly: the same sources and lock file
# give the same bytes (sorted entries, fixed time stamps and modes, no absolute paths).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
root=$(cd "$here/../.." && pwd)
staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
app="$staging/uns-validator"
mkdir -p "$app"

# One bundle per entry (the CLI and the worker threads' module). PGlite loads its WebAssembly
# files from its own package directory, so it ships as a package beside the bundle.
"$root/node_modules/.bin/esbuild" \
  "$here/src/main.ts" "$here/src/service/validation-worker.ts" \
  --bundle --platform=node --target=node20 --format=cjs --main-fields=module,main --entry-names=[name] \
  --external:@electric-sql/pglite --external:pg-native \
  --legal-comments=none --log-level=warning --outdir="$app"

cp -r "$here/src/store/migrations" "$app/migrations"
mkdir -p "$app/asyncapi"
cp "$root"/asyncapi/*.yaml "$app/asyncapi/"
mkdir -p "$app/node_modules/@electric-sql"
cp -r "$root/node_modules/@electric-sql/pglite" "$app/node_modules/@electric-sql/pglite"

mkdir -p "$here/dist"
python3 - "$staging" "$here/dist/uns-validator.zip" <<'PY'
import os, sys, zipfile
source, target = sys.argv[1], sys.argv[2]
paths = []
for directory, _, files in os.walk(source):
    paths += [os.path.join(directory, name) for name in files]
with zipfile.ZipFile(target, 'w', zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
    for path in sorted(paths):
        entry = zipfile.ZipInfo(os.path.relpath(path, source), date_time=(1980, 1, 1, 0, 0, 0))
        entry.external_attr = 0o644 << 16
        entry.compress_type = zipfile.ZIP_DEFLATED
        with open(path, 'rb') as stream:
            archive.writestr(entry, stream.read(), compresslevel=9)
PY
sha256sum "$here/dist/uns-validator.zip"
