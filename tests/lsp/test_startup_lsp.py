"""Start-up (issue 17 item 7): a document opened while the server reads its environment and the recipes
gets its syntax and structure findings at once, then all of them once the server is warm ("ready:")."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from lsp_client import Client

CONFIG = """\
model:
  _component_: torchtune.models.llama3_2.lora_llama3_2_1b
  lora_attn_modules: ['q_proj', 'v_proj']
optimizer:
  _component_: torch.optim.AdamWW
  lr: 3e-4
  lr: 2e-4
"""


def codes_of(diagnostics: list[dict[str, object]]) -> list[str]:
    return sorted(str(d.get("code")) for d in diagnostics)


def test_the_first_publish_does_not_wait_for_the_environment_and_the_full_one_follows(tmp_path: Path) -> None:
    doc = tmp_path / "train.yaml"
    doc.write_text(CONFIG)
    env = dict(os.environ, TUNECONF_CACHE_DIR=str(tmp_path / "cache"))  # cold, as at a first start
    client = Client([sys.executable, "-m", "tuneconf", "serve"], cwd=str(tmp_path), env=env)
    try:
        client.initialize(tmp_path)
        opened = client.open(doc.as_uri(), CONFIG)
        first = client.wait_diagnostics(doc.as_uri(), None, opened, timeout=60)
        ready = client.wait_message("ready:", timeout=60)
        client.wait_diagnostics(doc.as_uri(), None, ready, timeout=60)
        full = codes_of(client.published[doc.as_uri()])
    finally:
        client.close()
    if first < ready:  # published before the server was warm (as always but on a stalled machine): structure only
        assert codes_of(client.first_published[doc.as_uri()]) == ["duplicate-key"]
    assert "duplicate-key" in full and "unknown-member" in full, full
    assert client.errors == []


def test_before_warm_only_syntax_and_structure_findings_are_published(tmp_path: Path) -> None:
    """In process, the project as the server holds it: a quick view runs two families, and asks to be
    checked again once warm; after warm_up, the same document has its component finding."""
    from tuneconf.project import WARMING, Project

    project = Project(blocking=False, cache_dir=tmp_path / "cache")
    uri = (tmp_path / "train.yaml").as_uri()
    quick = project.view(uri, 1, CONFIG, quick=True)
    assert quick.quick and sorted(f.code for f in quick.findings()) == ["duplicate-key"]
    assert WARMING in quick.ctx.pending
    project.warm_up()
    assert project.warm
    full = project.view(uri, 1, CONFIG, quick=True)
    assert not full.quick and WARMING not in full.ctx.pending
    full.findings()
    for _ in range(2):  # a cold index defers dotpaths to a background thread; resolve them as the server does
        if full.ctx.pending:
            project.index.warm(sorted(full.ctx.pending)).join()
            full.forget_findings()
    assert {"duplicate-key", "unknown-member"} <= {f.code for f in full.findings()}
