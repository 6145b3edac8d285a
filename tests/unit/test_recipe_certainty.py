"""Recipe certainty: a `# tune run` header is a guess (`tune cp` copies it verbatim), weighed against
better evidence in the workspace and by how well the recipe fits the config's keys."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from lsprotocol import types

from builtin import builtin_configs
from sample_configs import LORA
from tuneconf.cli import main
from tuneconf.document.positions import Converter, encoding_of
from tuneconf.features.actions import code_actions
from tuneconf.findings import Finding, Severity
from tuneconf.project import ConfigView, Project
from tuneconf.recipes import evidence
from tuneconf.recipes.evidence import BORDERLINE, GOOD, POOR, Fit, Launch, names_config
from tuneconf.settings import Settings
from workspace_files import write

LORA_HEADER = "# tune run lora_finetune_single_device --config llama3_2/1B_lora_single_device\n"
FULL_HEADER = "# tune run full_finetune_single_device --config llama3_2/1B_full_single_device\n"
KD_HEADER = "# tune run knowledge_distillation_single_device --config llama3_2/8B_to_1B_KD_lora_single_device\n"
EVERYWHERE = types.Range(types.Position(0, 0), types.Position(10_000, 0))


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    builtin_configs()  # skips without torchtune
    return tmp_path_factory.mktemp("cache")


def analysed(root: Path, cache: Path, files: dict[str, str], config: str = "configs/my.yaml") -> ConfigView:
    """The view of `config` in a workspace of `files` (the launch scan lists the files once, so first)."""
    write(root, files)
    path = root / config
    return Project(Settings(), [root], cache_dir=cache).view(path.as_uri(), None, path.read_text())


def recipe_findings(view: ConfigView) -> list[Finding]:
    recipe_codes = {"missing-key", "unused-key", "missing-argument", "supplied-argument", "recipe-mismatch"}
    return [f for f in view.findings() if f.code in recipe_codes | {"recipe-fit"}]


def shown(view: ConfigView) -> tuple[str, str]:
    assert view.ctx.recipe is not None
    return view.ctx.recipe.choice.name, view.ctx.recipe.choice.how


@pytest.mark.parametrize(
    ("missing", "unread", "keys", "grade"),
    [
        (0, 0, 20, GOOD),
        (0, 2, 20, GOOD),  # every built-in config sets at most 2 keys its own recipe never reads
        (0, 3, 20, BORDERLINE),
        (1, 0, 20, BORDERLINE),
        (2, 2, 20, BORDERLINE),
        (3, 0, 20, POOR),
        (0, 3, 6, POOR),  # half the keys unread
        (0, 3, 7, BORDERLINE),
        (0, 2, 4, GOOD),  # half, but 2 unread keys are within what a real config keeps
    ],
)
def test_fit_grades(missing: int, unread: int, keys: int, grade: str) -> None:
    fit = Fit(tuple(f"m{i}" for i in range(missing)), tuple(f"u{i}" for i in range(unread)), keys)
    assert fit.grade == grade


def test_builtin_configs_are_known_by_the_registry_or_fit_their_header(cache: Path) -> None:
    project = Project(Settings(), [], cache_dir=cache)
    guessed = []
    for config in builtin_configs():
        info = project.catalog.for_config(config.read_text(), config)
        assert info is not None, config
        if not info.choice.known:
            guessed.append(config.relative_to(config.parents[1]).as_posix())
            view = project.view(config.as_uri(), None, config.read_text())
            found = [(f.code, f.message.split("'")[1]) for f in recipe_findings(view)]
            # a good fit, checked as known: torchtune 0.6.1 reads memory_efficient_fsdp_wrap nowhere (a true
            # warning, seen once the checkpoint client the recipe hands cfg to is followed)
            assert found == [("unused-key", "memory_efficient_fsdp_wrap")], config
    # the one built-in config the registry does not list; its header's recipe fits it
    assert guessed == ["dev/8B_full_experimental.yaml"]


def test_a_workspace_script_beats_a_stale_header(tmp_path: Path, cache: Path) -> None:
    config = {"configs/my.yaml": FULL_HEADER + LORA}
    alone = analysed(tmp_path / "alone", cache, config)
    assert shown(alone) == ("full_finetune_single_device", "from the header")
    script = (
        "#!/bin/bash\n"
        "tune run --nproc_per_node 1 \\\n  lora_finetune_single_device \\\n  --config configs/my.yaml epochs=2\n"
        "# tune run lora_finetune_distributed --config configs/my.yaml\n"  # commented out: not how it runs
    )
    view = analysed(tmp_path / "ws", cache, {**config, "scripts/train.sh": script})
    assert shown(view) == ("lora_finetune_single_device", "from scripts/train.sh:2")
    assert recipe_findings(view) == []
    assert [(f.code, f.severity) for f in recipe_findings(alone)] == [
        ("missing-key", Severity.WARNING),  # optimizer_in_bwd: borderline
        ("recipe-mismatch", Severity.WARNING),
    ]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("Makefile", "train:\n\ttune run lora_finetune_single_device --config configs/my.yaml\n"),
        ("jobs/run.slurm", "#SBATCH -N 1\nsrun tune run lora_finetune_single_device --config=$ROOT/configs/my.yaml\n"),
        (
            ".github/workflows/ci.yml",
            "steps:\n  - run: tune run lora_finetune_single_device --config configs/my.yaml\n",
        ),
        ("README.md", "```bash\ntune run lora_finetune_single_device --config ./configs/my.yaml\n```\n"),
        (
            "launch.py",
            'subprocess.run(\n    [\n        "tune",\n        "run",\n        "lora_finetune_single_device",\n'
            '        "--config",\n        "configs/my.yaml",\n    ]\n)\n',
        ),
        (".vscode/tuneconf.json", '{"note": "tune run lora_finetune_single_device --config configs/my.yaml"}\n'),
    ],
)
def test_launch_commands_are_found_where_people_keep_them(tmp_path: Path, cache: Path, name: str, text: str) -> None:
    view = analysed(tmp_path, cache, {"configs/my.yaml": KD_HEADER + LORA, name: text})
    assert shown(view) == (
        "lora_finetune_single_device",
        f"from {name}:{text[: text.index('tune')].count(chr(10)) + 1}",
    )


def test_a_launch_command_for_another_config_is_no_evidence(tmp_path: Path, cache: Path) -> None:
    files = {
        "configs/my.yaml": KD_HEADER + LORA,
        "other/my.yaml": "a: 1\n",
        "run.sh": "tune run lora_finetune_single_device --config other/my.yaml\n"
        "tune run lora_finetune_single_device --config configs/my_other.yaml\n"
        "tune run lora_finetune_single_device --config llama3_2/1B_lora_single_device\n",
    }
    assert shown(analysed(tmp_path, cache, files))[1] == "from the header"


def test_names_config_by_path(tmp_path: Path) -> None:
    config = (tmp_path / "proj" / "configs" / "my.yaml").resolve()
    script = tmp_path / "proj" / "scripts" / "go.sh"

    def names(arg: str) -> bool:
        return names_config(Launch("r", arg, script, 1), config, [tmp_path / "proj"])

    assert names("../configs/my.yaml") and names("configs/my.yaml") and names("${HOME}/proj/configs/my.yaml")
    assert names("$CFG/my.yaml")  # after a variable, the parts that follow it
    assert not names("my.yaml")  # one bare name: relative to the script's folder or the workspace only
    assert not names("configs/my") and not names("x/other/my.yaml") and not names("../../configs/my.yaml")


def test_a_recipe_beside_the_config_beats_the_header(tmp_path: Path, cache: Path) -> None:
    recipe = "from omegaconf import DictConfig\n\ndef recipe_main(cfg: DictConfig) -> None:\n    cfg.model\n"
    files = {"configs/foo_eval.yaml": LORA_HEADER + LORA, "configs/foo_eval.py": recipe}
    view = analysed(tmp_path / "a", cache, files, "configs/foo_eval.yaml")
    assert shown(view) == ("foo_eval.py", "beside the config")
    not_a_recipe = {**files, "configs/foo_eval.py": "print('make the data')\n"}
    assert shown(analysed(tmp_path / "b", cache, not_a_recipe, "configs/foo_eval.yaml"))[0] == (
        "lora_finetune_single_device"
    )


def test_several_header_lines(tmp_path: Path, cache: Path) -> None:
    kd = "# Finetune the teacher first:\n" + LORA_HEADER + KD_HEADER
    teacher = "teacher_model: {}\nteacher_checkpointer: {}\nkd_loss: {}\nkd_ratio: 0.5\n"
    teacher += "enable_activation_checkpointing: true\n"
    # the teacher's run comes last, but the config has the student's keys: the KD recipe fits it best
    assert shown(analysed(tmp_path / "a", cache, {"configs/my.yaml": KD_HEADER + LORA_HEADER + LORA + teacher}))[0] == (
        "knowledge_distillation_single_device"
    )
    assert shown(analysed(tmp_path / "b", cache, {"configs/my.yaml": kd + LORA + teacher}))[0] == (
        "knowledge_distillation_single_device"
    )
    # a line whose --config is this file wins over a better fit
    mine = KD_HEADER + "# tune run lora_finetune_single_device --config configs/my.yaml\n"
    assert shown(analysed(tmp_path / "c", cache, {"configs/my.yaml": mine + LORA + teacher}))[0] == (
        "lora_finetune_single_device"
    )
    # equal fits: the last line
    both = LORA_HEADER + "# tune run lora_finetune_distributed --config llama3_2/1B_lora\n"
    assert shown(analysed(tmp_path / "d", cache, {"configs/my.yaml": both + LORA}))[0] == "lora_finetune_distributed"


def test_a_poor_fit_gives_one_warning_with_fixes_that_name_a_recipe(tmp_path: Path, cache: Path) -> None:
    view = analysed(tmp_path, cache, {"configs/my.yaml": KD_HEADER + LORA.replace("epochs: 1\n", "")})
    (finding,) = recipe_findings(view)
    assert (finding.code, finding.severity, finding.span.start_line) == ("recipe-fit", Severity.WARNING, 0)
    assert finding.message.startswith(
        "This config may not be run by knowledge_distillation_single_device (from the header): it lacks 5 keys "
    )
    assert "built-in config llama3_2/8B_to_1B_KD_lora_single_device, not this file" in finding.message
    conv = Converter(view.parsed.lines, encoding_of(None))
    actions = code_actions(view.uri, view.parsed, view.findings(), EVERYWHERE, conv, view.ctx)
    titles = [a.title for a in actions if a.diagnostics and a.diagnostics[0].code == "recipe-fit"]
    assert titles == [
        "Add '# tuneconf: recipe=lora_finetune_single_device' (best fit in the registry)",
        "Add '# tuneconf: recipe=knowledge_distillation_single_device' (keep the guess, from the header)",
    ]
    # applied, the recipe is known and checked as such: the missing key is an error again
    fixed = "# tuneconf: recipe=lora_finetune_single_device\n" + view.parsed.text
    after = Project(Settings(), [tmp_path], cache_dir=cache).view(view.uri, None, fixed)
    assert shown(after) == ("lora_finetune_single_device", "from the tuneconf comment")
    assert [(f.code, f.severity) for f in recipe_findings(after)] == [("missing-key", Severity.ERROR)]


def test_a_poor_fit_offers_the_recipe_files_found_in_the_workspace(tmp_path: Path, cache: Path) -> None:
    recipe = "def recipe_main(cfg):\n    cfg.model\n    cfg.epochs\n"
    files = {
        "configs/my.yaml": LORA_HEADER + LORA,
        "configs/my.py": recipe,
        "run.sh": "tune run knowledge_distillation_single_device --config configs/my.yaml\n",
    }
    view = analysed(tmp_path, cache, files)
    assert shown(view) == ("knowledge_distillation_single_device", "from run.sh:1")
    (finding,) = recipe_findings(view)
    assert [f["title"] for f in finding.data["fixes"]] == [
        "Add '# tuneconf: recipe=my.py' (beside the config)",
        "Add '# tuneconf: recipe=lora_finetune_single_device' (best fit in the registry)",
        "Add '# tuneconf: recipe=knowledge_distillation_single_device' (keep the guess, from run.sh:1)",
    ]


def test_a_good_fit_is_checked_as_known_and_says_where_the_recipe_came_from(tmp_path: Path, cache: Path) -> None:
    body = LORA.replace("  lr: 3e-4\n", "  lr: 3e-4\n  params: []\n") + "warmup: 3\n"
    guessed = recipe_findings(analysed(tmp_path / "a", cache, {"configs/my.yaml": LORA_HEADER + body}))
    comment = "# tuneconf: recipe=lora_finetune_single_device\n"
    known = recipe_findings(analysed(tmp_path / "b", cache, {"configs/my.yaml": comment + body}))
    assert [(f.code, f.severity, f.span) for f in guessed] == [(f.code, f.severity, f.span) for f in known]
    assert {f.code: f.severity for f in guessed} == {
        "supplied-argument": Severity.ERROR,
        "unused-key": Severity.WARNING,
    }
    assert all(f.message.startswith("lora_finetune_single_device, from the header, ") for f in guessed)
    assert all(f.message.startswith("lora_finetune_single_device ") for f in known)


def test_a_borderline_fit_gives_warnings_if_run_with(tmp_path: Path, cache: Path) -> None:
    body = LORA.replace("epochs: 1\n", "").replace("  lr: 3e-4\n", "  lr: 3e-4\n  params: []\n")
    guessed = recipe_findings(analysed(tmp_path / "a", cache, {"configs/my.yaml": LORA_HEADER + body}))
    assert {f.code: f.severity for f in guessed} == {
        "missing-key": Severity.WARNING,
        "supplied-argument": Severity.WARNING,
    }
    assert all(f.message.startswith("If run with lora_finetune_single_device (from the header): ") for f in guessed)
    comment = "# tuneconf: recipe=lora_finetune_single_device\n"
    known = recipe_findings(analysed(tmp_path / "b", cache, {"configs/my.yaml": comment + body}))
    assert {f.code: f.severity for f in known} == {"missing-key": Severity.ERROR, "supplied-argument": Severity.ERROR}


def test_check_cli_reports_the_poor_fit_and_follows_the_workspace_script(
    tmp_path: Path, cache: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TUNECONF_CACHE_DIR", str(cache))
    write(tmp_path, {"configs/my.yaml": KD_HEADER + LORA})
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--no-path-checks", "configs/my.yaml"]) == 0  # a warning only
    out = capsys.readouterr().out
    assert out.startswith(
        "configs/my.yaml:1:1: warning[recipe-fit] This config may not be run by knowledge_distillation_single_device"
    ), out
    write(tmp_path, {"scripts/train.sh": "tune run lora_finetune_single_device --config configs/my.yaml\n"})
    assert main(["check", "--no-path-checks", "configs/my.yaml"]) == 0
    assert capsys.readouterr().out == ""


def test_the_poor_fit_warning_sits_on_the_header_line_it_came_from(tmp_path: Path, cache: Path) -> None:
    text = "# A student for distillation.\n#\n" + KD_HEADER + LORA
    (finding,) = recipe_findings(analysed(tmp_path, cache, {"configs/my.yaml": text}))
    assert (finding.code, finding.span.start_line, finding.span.end_col) == ("recipe-fit", 2, len(KD_HEADER) - 1)


def test_the_scan_is_bounded_and_follows_edited_scripts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(
        tmp_path, {"a.sh": "echo\n", "b.sh": "x" * (evidence.MAX_LAUNCH_BYTES + 1), "c.sh": "echo\n", "d.sh": "echo\n"}
    )
    monkeypatch.setattr(evidence, "MAX_LAUNCH_FILES", 2)
    scan = evidence.LaunchScan([tmp_path])
    scan.launches()
    assert [p.name for p in scan._files or []] == ["a.sh", "c.sh"]  # b.sh: too big to be a script
    # the listed files are re-read when they change
    line = "tune run lora_finetune_single_device --config configs/my.yaml\n"
    (tmp_path / "c.sh").write_text(line)
    os.utime(tmp_path / "c.sh", ns=(1, 1))  # a new modification time, whatever the clock's granularity
    assert [(x.recipe, x.config, x.file.name) for x in scan.launches()] == [
        ("lora_finetune_single_device", "configs/my.yaml", "c.sh")
    ]


def test_a_tuneconf_recipe_comment_alone_makes_a_config_with_a_known_recipe(tmp_path: Path, cache: Path) -> None:
    view = analysed(tmp_path, cache, {"configs/my.yaml": "# tuneconf: recipe=lora_finetune_single_device\nepoch: 1\n"})
    assert view.is_config and shown(view)[0] == "lora_finetune_single_device"
    assert "missing-key" in {f.code for f in recipe_findings(view) if f.severity is Severity.ERROR}
