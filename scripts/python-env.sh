#!/usr/bin/env bash
# Creates or refreshes the project's Python environment (.venv) from the pinned requirement files.
# Cheap when nothing changed: the environment is rebuilt only when a requirement file changes.
set -euo pipefail
cd "$(dirname "$0")/.."

requirement_files=(requirements-dev.txt pipelines/requirements.txt)
stamp_file=.venv/.requirements.sha256
wanted=$(cat "${requirement_files[@]}" | sha256sum | cut -d' ' -f1)

if [[ -f "$stamp_file" && "$(cat "$stamp_file")" == "$wanted" ]]; then
  exit 0
fi

echo "Setting up the Python environment in .venv (${requirement_files[*]})"
python3 -m venv .venv
for file in "${requirement_files[@]}"; do
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --requirement "$file"
done
echo "$wanted" > "$stamp_file"
