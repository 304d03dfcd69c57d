# Shared steps of the edge components' reproducible artifact builds (the same sources and lock file
# give the same bytes). A component's build script, after `set -euo pipefail`:
#
#   source "$(dirname "$0")/../../common/scripts/artifact.sh"
#   stage_artifact
#   ... fills "$staging/" with the files the component runs from ...
#   zip_artifact NAME LEVEL
#
# The zip has no top directory: Greengrass unpacks an artifact NAME.zip (Unarchive: ZIP) into
# {artifacts:decompressedPath}/NAME/, so its files land right there, where the recipe's Run script
# looks for them.

# Sets `here` (the component: the directory above the calling script's), `root` (the repository)
# and `staging` (a temporary directory, removed on exit).
stage_artifact() {
  here=$(cd "$(dirname "${BASH_SOURCE[1]}")/.." && pwd)
  root=$(cd "$here/../.." && pwd)
  staging=$(mktemp -d)
  trap 'rm -rf "$staging"' EXIT
}

# Copies the AWS Common Runtime into $staging/node_modules/aws-crt: the native part of the
# Greengrass IPC client with which edge-common has the nucleus check configuration updates. It
# loads its native library from its own folder, so a bundle built with `--external:aws-crt` takes
# it from there; only the libraries for Linux x64 and arm64 (glibc) ship.
ship_aws_crt() {
  local target="$staging/node_modules/aws-crt"
  mkdir -p "$target"
  cp "$root/node_modules/aws-crt/package.json" "$root/node_modules/aws-crt/LICENSE" \
    "$root/node_modules/aws-crt/NOTICE" "$target/"
  cp -r "$root/node_modules/aws-crt/dist" "$target/dist"
  find "$target/dist/bin" -mindepth 1 -maxdepth 1 ! -name linux-x64-glibc ! -name linux-arm64-glibc \
    -exec rm -rf {} +
  find "$target" \( -name '*.map' -o -name '*.d.ts' \) -delete
}

# Copies koffi into $staging/node_modules/koffi: the C foreign function interface through which
# edge-common has glibc give freed memory back (releaseFreedNativeMemory). A bundle built with
# `--external:koffi` loads it from there; only its libraries for Linux x64 and arm64 ship.
ship_koffi() {
  local target="$staging/node_modules/koffi"
  mkdir -p "$target/build/koffi"
  cp "$root/node_modules/koffi/package.json" "$root/node_modules/koffi/LICENSE.txt" \
    "$root/node_modules/koffi/index.js" "$target/"
  cp -r "$root/node_modules/koffi/build/koffi/linux_x64" "$root/node_modules/koffi/build/koffi/linux_arm64" \
    "$target/build/koffi/"
}

# Zips the files of $staging (not the directory itself) deterministically (sorted entries, fixed
# time stamps and modes, relative paths) with deflate level LEVEL into $here/dist/NAME.zip, and
# prints its sha256 line. The zip appears by rename, whole: builds running at the same time (test
# workers, a synth beside a test run) never read one half written.
zip_artifact() {
  local zip="$here/dist/$1.zip"
  local partial="$zip.partial.$$"
  mkdir -p "$here/dist"
  python3 "$root/edge-components/common/scripts/deterministic-zip.py" "$staging" "$partial" "$2"
  mv -f "$partial" "$zip"
  sha256sum "$zip"
}
