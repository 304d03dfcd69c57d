#!/usr/bin/env bash
# Builds the Greengrass artifact dist/anomaly-inference.zip reproducibly: the same sources and lock
# file give the same bytes (sorted entries, fixed time stamps and modes, no absolute paths).
# onnxruntime-node ships beside the bundle with its native libraries for linux x64 and arm64 only
# (the binding loads bin/napi-v6/<platform>/<arch>/ at run time); its install script is not needed.
set -euo pipefail
source "$(dirname "$0")/../../common/scripts/artifact.sh"
stage_artifact

# One bundle per entry: the CLI and the ONNX Runtime worker thread. The manifest JSON Schema
# (pipelines/model-bundle/) is imported by the source and bundled.
"$root/node_modules/.bin/esbuild" "$here/src/main.ts" "$here/src/inference/ort-worker.ts" \
  --bundle --platform=node --target=node20 --format=cjs --main-fields=module,main --entry-names=[name] \
  --external:onnxruntime-node --external:aws-crt --external:koffi --legal-comments=none --log-level=warning --outdir="$staging"

mkdir -p "$staging/asyncapi"
cp "$root/asyncapi/uns-welding.asyncapi.yaml" "$staging/asyncapi/"

ort="$root/node_modules/onnxruntime-node"
common="$root/node_modules/onnxruntime-common"
target="$staging/node_modules/onnxruntime-node"
mkdir -p "$target/dist" "$staging/node_modules/onnxruntime-common/dist"
cp "$ort/package.json" "$ort/README.md" "$target/"
cp "$ort"/dist/*.js "$target/dist/"
for arch in x64 arm64; do
  mkdir -p "$target/bin/napi-v6/linux/$arch"
  cp "$ort/bin/napi-v6/linux/$arch"/* "$target/bin/napi-v6/linux/$arch/"
done
cp "$common/package.json" "$staging/node_modules/onnxruntime-common/"
cp -r "$common/dist/cjs" "$staging/node_modules/onnxruntime-common/dist/cjs"
find "$staging/node_modules" \( -name '*.map' -o -name '*.d.ts' \) -delete
ship_aws_crt
ship_koffi

zip_artifact anomaly-inference 6
