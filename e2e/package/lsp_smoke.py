"""`tuneconf serve` from a clean install answers initialize, publishes diagnostics for a config it is
given, and shuts down cleanly. The client is bench/lsp_client.py (standard library only), loaded by
path: nothing of the source tree's tuneconf package is imported.

usage: python lsp_smoke.py TUNECONF_EXECUTABLE   (exit status 0 when all of that happened)
"""

from __future__ import annotations

import importlib.util
import sys
import tempfile
from pathlib import Path

CONFIG = "optimizer:\n  _component_: torch.optim.AdamW\n  lr: 3e-4\n  lr: 1e-4\n"
LSP_CLIENT = Path(__file__).resolve().parents[2] / "bench" / "lsp_client.py"


def load_client() -> type:
    spec = importlib.util.spec_from_file_location("lsp_client", LSP_CLIENT)
    assert spec and spec.loader, LSP_CLIENT
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Client  # type: ignore[no-any-return]


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config.yaml"
        config.write_text(CONFIG)
        client = load_client()([sys.argv[1], "serve"], cwd=tmp, stderr=None)
        try:
            params: dict[str, object] = {"processId": None, "rootUri": Path(tmp).as_uri(), "capabilities": {}}
            _, init = client.request("initialize", params)
            print("server:", init.get("serverInfo"))
            assert init["serverInfo"]["name"] == "tuneconf", init
            client.notify("initialized", {})
            uri = config.as_uri()
            client.wait_diagnostics(uri, None, client.open(uri, CONFIG))
            diagnostics = client.published[uri]
            print("diagnostics:", [(d["code"], d["range"]["start"]) for d in diagnostics])
            assert any(d.get("code") == "duplicate-key" for d in diagnostics), diagnostics
            client.request("shutdown", None)
            client.notify("exit", None)
            code = client.proc.wait(timeout=30)
        finally:
            if client.proc.poll() is None:
                client.proc.kill()
        print("exit status:", code)
        return int(code)


if __name__ == "__main__":
    raise SystemExit(main())
