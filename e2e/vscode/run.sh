#!/usr/bin/env bash
# `make e2e-vscode`: the extension (.vsix) in a real VS Code (code-server 4.100.3 = VS Code 1.100.3)
# in headless Chromium. Two code-server starts, each with fresh user-data and extensions folders:
#   trusted    scenarios 1-7 (diagnostics, completion, hover, definition, quick fix, Run lens, Download lens)
#   untrusted  scenario 8 (Restricted Mode)
# The scenarios run inside the extension host (driver/ + suite/), asserting through the VS Code
# API; the browser side (browser.js) takes the screenshots they ask for.
#
# env: VSIX            the extension to test (default dist/tuneconf-VERSION.vsix; `make e2e-vscode` builds it)
#      E2E_PYTHON      tuneconf.interpreter (default .venv/bin/python: torch + torchtune for the analysis and the run)
#      E2E_HOME        installs and scratch folders (default .e2e)
#      E2E_OUT         screenshots, reports and logs (default e2e/vscode/out)
#      E2E_PHASES      which phases to run (default "trusted untrusted")
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export E2E_HOME="${E2E_HOME:-$root/.e2e}"
out="${E2E_OUT:-$here/out}"
version="$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' "$root/server/tuneconf/__init__.py")"
vsix="$(realpath "${VSIX:-$root/dist/tuneconf-$version.vsix}")"
python="${E2E_PYTHON:-$root/.venv/bin/python}"
phases="${E2E_PHASES:-trusted untrusted}"
node_modules="$E2E_HOME/node/node_modules"
cs="$node_modules/.bin/code-server"

started=$SECONDS
bash "$here/install.sh"
echo "== e2e-vscode: install step took $((SECONDS - started)) s"
[ -f "$vsix" ] || { echo "e2e-vscode: no $vsix (run make vsix)" >&2; exit 1; }
[ -x "$python" ] || { echo "e2e-vscode: no Python at $python (run make setup, or set E2E_PYTHON)" >&2; exit 1; }
python="$(cd "$(dirname "$python")" && pwd)/$(basename "$python")"  # absolute, not resolved: a venv's python is a link

# Only what earlier runs wrote is removed (E2E_OUT may name a folder that holds other things).
for phase in trusted untrusted; do rm -rf "${out:?}/$phase"; done
rm -rf "$E2E_HOME/phases"
mkdir -p "$out" "$E2E_HOME/phases"

cs_pid=""
stop_code_server() {
  if [ -n "$cs_pid" ]; then
    # code-server, its extension host, the tuneconf server and any task run in its process group.
    kill -TERM -- "-$cs_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 -- "-$cs_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$cs_pid" 2>/dev/null || true
    wait "$cs_pid" 2>/dev/null || true
    cs_pid=""
  fi
}
trap stop_code_server EXIT
trap 'exit 130' INT TERM

free_port() {
  node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# Trust is left on (the default) here: the trusted phase turns it off with --disable-workspace-trust
# (the workbench asks that flag first, then security.workspace.trust.enabled).
write_settings() {  # FILE
  node -e '
    const [file, python] = process.argv.slice(1);
    const settings = {
      "tuneconf.interpreter": python,
      "security.workspace.trust.startupPrompt": "never",
      "security.workspace.trust.banner": "always",
      "workbench.startupEditor": "none",
      "workbench.tips.enabled": false,
      "workbench.enableExperiments": false,
      "telemetry.telemetryLevel": "off",
      "extensions.autoCheckUpdates": false,
      "extensions.autoUpdate": false,
      "extensions.ignoreRecommendations": true,
      "update.mode": "none",
      "git.enabled": false,
      "terminal.integrated.gpuAcceleration": "off",
      "workbench.reduceMotion": "on",
      "chat.commandCenter.enabled": false,
      "window.restoreWindows": "none",
    };
    require("fs").writeFileSync(file, JSON.stringify(settings, null, 2));
  ' "$1" "$python"
}

failed=0
run_phase() {  # NAME
  local name="$1" trusted=true
  [ "$name" = untrusted ] && trusted=false
  local dir="$E2E_HOME/phases/$name" phase_started=$SECONDS
  local ws="$dir/workspace" data="$dir/user-data" ext="$dir/extensions" shots="$out/$name"
  echo "== e2e-vscode: phase $name"
  mkdir -p "$ws" "$data/User" "$ext" "$shots" "$dir/xdg"
  # The workspace: a copy of the repository's configs, without the tiny run's generated artifacts.
  cp -r "$root/configs" "$ws/configs"
  rm -rf "$ws/configs/tiny/.artifacts"
  write_settings "$data/User/settings.json"
  printf 'auth: none\ncert: false\n' > "$dir/code-server.yaml"
  local common=(--config "$dir/code-server.yaml" --user-data-dir "$data" --extensions-dir "$ext")
  # The driver goes in unpacked before any --install-extension: once extensions.json exists,
  # unlisted folders are ignored.
  cp -r "$here/driver" "$ext/local.tuneconf-e2e-driver-0.0.1"
  # code-server, VS Code and Chromium keep logs, a device id, crash reports and caches under the XDG
  # folders: the phase's own, so that nothing lands in $HOME.
  local xdg
  for xdg in XDG_DATA_HOME XDG_CONFIG_HOME XDG_CACHE_HOME XDG_STATE_HOME; do export "$xdg=$dir/xdg/$xdg"; done
  "$cs" "${common[@]}" --install-extension "$vsix" > "$dir/install-extension.log" 2>&1 \
    || { cat "$dir/install-extension.log" >&2; return 1; }
  "$cs" "${common[@]}" --list-extensions --show-versions | sed 's/^/   extension: /'

  local port trust_flag=()
  port="$(free_port)"
  [ "$trusted" = true ] && trust_flag=(--disable-workspace-trust)
  # setsid: code-server leads its own process group, so stop_code_server can end all of it.
  TUNECONF_E2E_SUITE="$here/suite/$name.js" TUNECONF_E2E_RESULT="$dir/report.json" TUNECONF_E2E_CHANNEL="$dir/channel" \
    TUNECONF_CACHE_DIR="$dir/tuneconf-cache" \
    HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 \
    setsid "$cs" "${common[@]}" --auth none --bind-addr "127.0.0.1:$port" --disable-telemetry --disable-update-check \
    --disable-getting-started-override "${trust_flag[@]}" "$ws" > "$dir/code-server.log" 2>&1 &
  cs_pid=$!

  local browser_rc=0
  CS_URL="http://127.0.0.1:$port/?folder=$ws" RESULT="$dir/report.json" CHANNEL="$dir/channel" SHOTS="$shots" \
    NODE_PATH="$node_modules" node "$here/browser.js" || browser_rc=$?
  stop_code_server

  # Keep what explains a failure: code-server's log, the extension host's, tuneconf's output channel.
  mkdir -p "$shots/logs"
  cp "$dir/code-server.log" "$shots/logs/" 2>/dev/null || true
  find "$data/logs" \( -name 'exthost.log' -o -name '*tuneconf*.log' -o -name 'remoteagent.log' \) -exec cp {} "$shots/logs/" \; 2>/dev/null || true
  [ -f "$dir/report.json" ] && cp "$dir/report.json" "$shots/report.json"

  if [ "$browser_rc" -ne 0 ] || [ ! -f "$dir/report.json" ]; then
    echo "== e2e-vscode: phase $name FAILED: no report (browser exit $browser_rc); logs in $shots/logs" >&2
    failed=1
  elif ! node "$here/report.js" "$dir/report.json"; then
    failed=1
  fi
  echo "== e2e-vscode: phase $name took $((SECONDS - phase_started)) s"
}

for phase in $phases; do
  run_phase "$phase" || failed=1
done
# `tuneconf runs --html` of the runs the trusted phase made (issue 15), in the same headless Chromium: a
# screenshot, and each run's loss curve with one point per step its table row says it logged.
trusted_ws="$E2E_HOME/phases/trusted/workspace"
if [ -d "$trusted_ws/configs/tiny/.artifacts" ]; then
  ( cd "$trusted_ws" && "$python" -m tuneconf runs configs/tiny/lora_cpu.yaml --html "$out/trusted/runs.html" >/dev/null ) \
    && NODE_PATH="$node_modules" node "$here/report_page.js" "$out/trusted/runs.html" "$out/trusted/runs-report.png" \
    || failed=1
fi
echo "== e2e-vscode: screenshots, reports and logs are in $out"
echo "== e2e-vscode: $([ "$failed" -eq 0 ] && echo PASSED || echo FAILED) in $((SECONDS - started)) s"
exit "$failed"
