"""`tuneconf schema`: the config's components as JSON Schema, and it validates what tuneconf accepts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from builtin import builtin_configs
from tuneconf.cli import main
from tuneconf.document.parse import parse
from tuneconf.document.values import to_python

ROOT = Path(__file__).resolve().parents[2]


def schema_of(capsys: pytest.CaptureFixture[str], config: Path) -> dict:  # type: ignore[type-arg]
    assert main(["schema", str(config)]) == 0
    return json.loads(capsys.readouterr().out)


def test_component_parameters_become_typed_properties(capsys: pytest.CaptureFixture[str]) -> None:
    builtin_configs()
    schema = schema_of(capsys, ROOT / "configs" / "llama3_2_1b_lora.yaml")
    assert schema["properties"]["model"] == {"$ref": "#/definitions/lora_llama3_2_1b"}
    model = schema["definitions"]["lora_llama3_2_1b"]
    component = model["properties"]["_component_"]
    assert sorted(component) == ["const", "description"]
    assert component["const"] == "torchtune.models.llama3_2.lora_llama3_2_1b"
    assert component["description"].startswith("Builder for creating a Llama3.2 1B model with LoRA enabled.")
    assert model["properties"]["lora_rank"]["anyOf"][0] == {"type": "integer"}
    assert model["properties"]["lora_attn_modules"]["anyOf"][0]["items"] == {
        "enum": ["q_proj", "k_proj", "v_proj", "output_proj"]
    }
    assert model["additionalProperties"] is False
    assert "params" not in schema["definitions"]["AdamW"]["properties"]  # the recipe supplies it
    assert "epochs" in schema["required"]


def test_the_schema_accepts_the_config_it_came_from(capsys: pytest.CaptureFixture[str]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    config = ROOT / "configs" / "llama3_2_1b_lora.yaml"
    values = to_python(parse(config.read_text()).root)  # typed as OmegaConf types them
    jsonschema.validate(values, schema_of(capsys, config))
