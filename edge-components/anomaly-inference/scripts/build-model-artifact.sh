#!/usr/bin/env bash
# Builds the model component's artifact from a model bundle directory (model.onnx + manifest.json,
# e.g. the output of `npm run ml -- train --out <dir>`): dist/model-bundle.zip, reproducibly. A new
# model is a new version of io.unsmlops.WeldSeamAnomalyModel (model-component/recipe.yaml) built
# from this zip; the runtime component stays as it is.
set -euo pipefail
source "$(dirname "$0")/../../common/scripts/artifact.sh"
bundle=${1:?usage: build-model-artifact.sh <bundle dir>}
for file in manifest.json model.onnx; do
  [[ -f "$bundle/$file" ]] || { echo "$bundle has no $file" >&2; exit 2; }
done
stage_artifact
cp "$bundle/manifest.json" "$bundle/model.onnx" "$staging/"
zip_artifact model-bundle 6
