# Shared steps of the edge components' reproducible artifact builds (the same sources and lock file
# give the same bytes). A component's build script, after `set -euo pipefail`:
#
#   source "$(dirname "$0")/../../common/scripts/artifact.sh"
#   stage_artifact
#   ... fills "$staging/<top directory>/" ...
#   zip_artifact NAME LEVEL

# Sets `here` (the component: the directory above the calling script's), `root` (the repository)
# and `staging` (a temporary directory, removed on exit).
stage_artifact() {
  here=$(cd "$(dirname "${BASH_SOURCE[1]}")/.." && pwd)
  root=$(cd "$here/../.." && pwd)
  staging=$(mktemp -d)
  trap 'rm -rf "$staging"' EXIT
}

# Zips $staging deterministically (sorted entries, fixed time stamps and modes, relative paths)
# with deflate level LEVEL into $here/dist/NAME.zip, and prints its sha256 line.
zip_artifact() {
  local zip="$here/dist/$1.zip"
  mkdir -p "$here/dist"
  python3 "$root/edge-components/common/scripts/deterministic-zip.py" "$staging" "$zip" "$2"
  sha256sum "$zip"
}
