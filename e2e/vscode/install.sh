#!/usr/bin/env bash
# Installs what `make e2e-vscode` needs, skipping whatever is already there:
#   - Debian's chromium (apt, only if missing), driven through playwright-core;
#   - code-server 4.100.3 (VS Code 1.100.3, the newest code-server whose engines.node is 20) and
#     playwright-core, from npm, pinned by e2e/vscode/package-lock.json, into $E2E_HOME/node.
#
# code-server's install needs four fixes on this machine kind (no network beyond the package
# registries; see the README's "Tests in real editors"):
#   1. npm_config_unsafe_perm=true: code-server's postinstall refuses to run as root without it;
#   2. libkrb5-dev (plus the build deps code-server documents): the native `kerberos` module is
#      built from source because its prebuilt download (GitHub) fails;
#   3. @vscode/ripgrep's postinstall downloads rg from GitHub, but first looks for a cached
#      tarball in $TMPDIR/vscode-ripgrep-cache-<version>/: we put Debian's rg there;
#   4. npm_config_yes=true: node-pty's postinstall runs `npx node-gyp` (npx must not ask).
#
# usage: e2e/vscode/install.sh         (E2E_HOME defaults to .e2e at the repository root)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
E2E_HOME="${E2E_HOME:-$root/.e2e}"
node_dir="$E2E_HOME/node"
stamp="$node_dir/.tuneconf-installed"

# The @vscode/ripgrep that code-server 4.100.3's VS Code pins, and the asset its postinstall wants.
RIPGREP_PKG_VERSION=1.15.11
RIPGREP_ASSET=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz

log() { printf '== install: %s\n' "$*"; }

missing_debs() {
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null | grep -q '^install ok installed$' || printf '%s\n' "$pkg"
  done
}

apt_install() {
  local missing
  missing="$(missing_debs "$@")"
  [ -z "$missing" ] && return 0
  log "apt-get install $(echo "$missing" | tr '\n' ' ')"
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "install: need root (or sudo) to apt-get install: $missing" >&2; exit 1; }
    sudo=(sudo)
  fi
  # shellcheck disable=SC2086 # one package per word
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  # shellcheck disable=SC2086
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

# The browser, and a font so that the screenshots have readable text.
apt_install chromium fonts-dejavu-core

# npm's inputs: the manifest, the lockfile and this Node.
want="$(cat "$here/package.json" "$here/package-lock.json" | sha256sum | cut -d' ' -f1) node-$(node --version)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$node_dir/node_modules/.bin/code-server" ]; then
  log "code-server and playwright-core already installed in $node_dir"
  exit 0
fi

# Build deps for code-server's native modules (2.), and ripgrep to seed @vscode/ripgrep (3.).
apt_install build-essential pkg-config python3 libkrb5-dev libxkbfile-dev libsecret-1-dev libx11-dev ripgrep

rm -rf "$node_dir"
mkdir -p "$node_dir" "$E2E_HOME/tmp/rg"
cp "$here/package.json" "$here/package-lock.json" "$node_dir/"

# 3. A private TMPDIR for the install, with Debian's rg where @vscode/ripgrep looks first.
tmp="$E2E_HOME/tmp"
rg_cache="$tmp/vscode-ripgrep-cache-$RIPGREP_PKG_VERSION"
mkdir -p "$rg_cache"
cp "$(command -v rg)" "$tmp/rg/rg"
tar -czf "$rg_cache/$RIPGREP_ASSET" -C "$tmp/rg" rg

log "npm ci in $node_dir (code-server builds native modules: about a minute and a half)"
# 1. and 4.; node-gyp finds Node's headers through npm's nodedir (set to /usr on this machine kind;
# export npm_config_nodedir=/usr where Node comes from a distribution package and it is not set).
(
  cd "$node_dir"
  TMPDIR="$tmp" npm_config_unsafe_perm=true npm_config_yes=true \
    npm ci --no-audit --no-fund --foreground-scripts --loglevel=error > "$E2E_HOME/npm-install.log" 2>&1
) || { tail -n 60 "$E2E_HOME/npm-install.log" >&2; echo "install: npm ci failed (log: $E2E_HOME/npm-install.log)" >&2; exit 1; }
rm -rf "$tmp"

# code-server keeps its logs and a default config under XDG folders: keep them out of $HOME.
mkdir -p "$E2E_HOME/xdg"
printf 'auth: none\ncert: false\n' > "$E2E_HOME/xdg/version.yaml"
XDG_DATA_HOME="$E2E_HOME/xdg" XDG_CONFIG_HOME="$E2E_HOME/xdg" XDG_CACHE_HOME="$E2E_HOME/xdg" \
  "$node_dir/node_modules/.bin/code-server" --config "$E2E_HOME/xdg/version.yaml" --version
echo "$want" > "$stamp"
log "done"
