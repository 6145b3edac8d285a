#!/usr/bin/env bash
# Bundle the tuneconf server into the extension: bundled/libs (tuneconf and its runtime
# dependencies, pinned with hashes in bundled-requirements.txt), bundled/tool/launch.py (the entry
# point the extension runs) and bundled/tool/tee.py (the wrapper a recipe runs behind: its last lines).
#
# usage: PYTHON=python3.11 scripts/bundle-libs.sh [REPO_ROOT]
#   PYTHON     interpreter whose pip installs the libs (default python3); its version and
#              platform decide the compiled wheels (PyYAML), so use the oldest supported Python.
#   REPO_ROOT  the folder with tuneconf's pyproject.toml (default: the parent of this extension).
set -euo pipefail

ext_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
repo_root="$(cd "${1:-$ext_dir/..}" && pwd)"
python="${PYTHON:-python3}"
libs="$ext_dir/bundled/libs"
tool="$ext_dir/bundled/tool"

rm -rf "$libs" "$tool"
mkdir -p "$libs" "$tool"
# The libraries: exactly the versions and wheels bundled-requirements.txt pins, each checked against
# its sha256 (regenerate the file with scripts/lock-bundle.py); then tuneconf itself, without deps.
"$python" -m pip install --disable-pip-version-check --no-compile --target "$libs" \
  --require-hashes --only-binary=:all: --no-deps -r "$ext_dir/bundled-requirements.txt"
"$python" -m pip install --disable-pip-version-check --no-compile --upgrade --target "$libs" --no-deps "$repo_root"

# Console scripts carry this machine's interpreter path in their shebang, and direct_url.json
# records where tuneconf was installed from; the extension needs neither.
rm -rf "$libs/bin"
find "$libs" -name direct_url.json -path '*.dist-info/*' -delete

cp "$ext_dir/bundled-src/launch.py" "$tool/launch.py"
cp "$ext_dir/bundled-src/tee.py" "$tool/tee.py"
echo "bundled: $libs, $tool/launch.py, $tool/tee.py"
