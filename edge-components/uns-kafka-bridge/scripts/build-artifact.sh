#!/usr/bin/env bash
# Builds the Greengrass artifact dist/uns-kafka-bridge.zip reproducibly: the same sources and lock
# file give the same bytes (one esbuild bundle, sorted entries, fixed time stamps and modes).
set -euo pipefail
source "$(dirname "$0")/../../common/scripts/artifact.sh"
stage_artifact
mkdir -p "$staging/asyncapi"

# One bundle: kafkajs, MQTT.js, pino, the AWS SDK credential chain and the MSK IAM signer are
# plain JavaScript; the AWS Common Runtime and koffi (native) ship beside it.
"$root/node_modules/.bin/esbuild" "$here/src/main.ts" \
  --bundle --platform=node --target=node20 --format=cjs --main-fields=module,main --external:aws-crt --external:koffi \
  --legal-comments=none --log-level=warning --outfile="$staging/main.js"
cp "$root"/asyncapi/*.yaml "$staging/asyncapi/"
ship_aws_crt
ship_koffi

zip_artifact uns-kafka-bridge 9
