#!/usr/bin/env bash
# Builds the Greengrass artifact dist/uns-kafka-bridge.zip reproducibly: the same sources and lock
# file give the same bytes (one esbuild bundle, sorted entries, fixed time stamps and modes).
set -euo pipefail
source "$(dirname "$0")/../../common/scripts/artifact.sh"
stage_artifact
app="$staging/uns-kafka-bridge"
mkdir -p "$app/asyncapi"

# One self-contained bundle: kafkajs, MQTT.js, pino, the AWS SDK credential chain and the MSK IAM
# signer are plain JavaScript.
"$root/node_modules/.bin/esbuild" "$here/src/main.ts" \
  --bundle --platform=node --target=node20 --format=cjs --main-fields=module,main \
  --legal-comments=none --log-level=warning --outfile="$app/main.js"
cp "$root"/asyncapi/*.yaml "$app/asyncapi/"

zip_artifact uns-kafka-bridge 9
