#!/usr/bin/env bash
# `make package-check`: `python -m build` makes a wheel and an sdist of tuneconf; each one, installed
# into a clean virtual environment (its dependencies from the package index, unpinned, as a user
# gets them), gives a working `tuneconf` command: --version, check (text and JSON), and serve (an
# LSP session). Runs outside the repository, so nothing is imported from the source tree.
#
# env: PYTHON       interpreter with `build` installed (default .venv/bin/python)
#      BASE_PYTHON  interpreter that makes the clean environments (default python3)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
version="$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' "$root/server/tuneconf/__init__.py")"  # the one place it is written
python="${PYTHON:-$root/.venv/bin/python}"
base="${BASE_PYTHON:-python3}"
work="$(mktemp -d "${TMPDIR:-/tmp}/tuneconf-package-check.XXXXXX")"
trap 'rm -rf "$work"' EXIT
started=$SECONDS

echo "== package-check: python -m build"
"$python" -m build --outdir "$work/dist" "$root" > "$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
wheel="$(ls "$work"/dist/tuneconf-*.whl)"
sdist="$(ls "$work"/dist/tuneconf-*.tar.gz)"
echo "   $(basename "$wheel") ($(du -k "$wheel" | cut -f1) KB), $(basename "$sdist") ($(du -k "$sdist" | cut -f1) KB)"

# What each archive holds: the package and its entry point; the sdist also the sources to rebuild it.
"$python" - "$wheel" "$sdist" <<'PY'
import sys, tarfile, zipfile
wheel, sdist = sys.argv[1:]
names = zipfile.ZipFile(wheel).namelist()
for needed in ("tuneconf/__init__.py", "tuneconf/cli/app.py", "tuneconf/lsp/server.py", "tuneconf/document/parse.py"):
    assert needed in names, f"{needed} missing from the wheel"
entry = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
assert "tuneconf = tuneconf.cli:main" in zipfile.ZipFile(wheel).read(entry).decode(), "no tuneconf console script"
assert not any(n.startswith(("tests/", "bench/", "vscode-extension/")) for n in names), "stray files in the wheel"
members = [m.split("/", 1)[1] for m in tarfile.open(sdist).getnames() if "/" in m]
for needed in ("pyproject.toml", "README.md", "server/tuneconf/cli/app.py", "server/tuneconf/lsp/server.py"):
    assert needed in members, f"{needed} missing from the sdist"
print(f"   wheel: {len(names)} files; sdist: {len(members)} files")
PY

mkdir -p "$work/elsewhere"
cp "$root/configs/demo_mistakes.yaml" "$work/elsewhere/"
for artifact in "$wheel" "$sdist"; do
  kind="$([ "$artifact" = "$wheel" ] && echo wheel || echo sdist)"
  venv="$work/venv-$kind"
  echo "== package-check: clean venv from the $kind"
  "$base" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$artifact" 2>&1 | { grep -v '^WARNING: Location' || true; }
  tuneconf="$venv/bin/tuneconf"
  (
    cd "$work/elsewhere"
    "$tuneconf" --version
    [ "$("$tuneconf" --version)" = "tuneconf $version" ]
    # The demo config has errors: exit status 1, and the duplicate key is found without torchtune.
    rc=0; "$tuneconf" check --format json demo_mistakes.yaml > check.json || rc=$?
    [ "$rc" -eq 1 ] || { echo "tuneconf check exited $rc, expected 1"; cat check.json; exit 1; }
    "$venv/bin/python" -c 'import json, sys; rows = json.load(open("check.json")); codes = {r["code"] for r in rows}; print("   check:", sorted(codes)); sys.exit(0 if "duplicate-key" in codes else 1)'
    "$venv/bin/python" "$here/lsp_smoke.py" "$tuneconf" | sed 's/^/   serve: /'
  )
done
echo "== package-check: PASSED in $((SECONDS - started)) s"
