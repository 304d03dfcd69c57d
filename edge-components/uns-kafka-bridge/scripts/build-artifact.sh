#!/usr/bin/env bash
# Builds the Greengrass artifact dist/uns-kafka-bridge.zip reproducibly: the same sources and lock
# file give the same bytes (one esbuild bundle, sorted entries, fixed time stamps and modes).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
root=$(cd "$here/../.." && pwd)
staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
app="$staging/uns-kafka-bridge"
mkdir -p "$app/asyncapi"

# One self-contained bundle: kafkajs, MQTT.js, pino, the AWS SDK credential chain and the MSK IAM
# signer are plain JavaScript.
"$root/node_modules/.bin/esbuild" "$here/src/main.ts" \
  --bundle --platform=node --target=node20 --format=cjs --main-fields=module,main \
  --legal-comments=none --log-level=warning --outfile="$app/main.js"
cp "$root"/asyncapi/*.yaml "$app/asyncapi/"

mkdir -p "$here/dist"
python3 - "$staging" "$here/dist/uns-kafka-bridge.zip" <<'PY'
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
sha256sum "$here/dist/uns-kafka-bridge.zip"
