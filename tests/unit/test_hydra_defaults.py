"""A config's defaults list and package header read from our tree: every entry form Hydra accepts, with
spans, and what Hydra refuses in its own words (hydra/_internal/config_repository.py)."""

from __future__ import annotations

from tuneconf.document.parse import parse
from tuneconf.document.tree import Span
from tuneconf.hydra.defaults import Entry, entries, package_header, problems

CONFIG = """\
# @package _global_
defaults:
  - _self_
  - db: mysql
  - /server/cache@cache.main: redis
  - optional override db@backup: postgresql
  - augment: [flip, crop]
  - logger: null
  - base/common
  - /shared@here
"""


def _entries(text: str) -> list[Entry]:
    found = entries(parse(text))
    assert found is not None
    return found


def _text_at(text: str, span: Span) -> str:
    lines = text.splitlines()
    assert span.start_line == span.end_line
    return lines[span.start_line][span.start_col : span.end_col]


def test_every_entry_form_with_its_parts() -> None:
    found = _entries(CONFIG)
    assert len(found) == 8
    self_, db, cache, backup, augment, logger, common, shared = found
    assert self_.self_ and self_.group is None and self_.config is None
    assert (db.group, db.options, db.package, db.absolute) == ("db", ("mysql",), None, False)
    assert (cache.group, cache.package, cache.absolute, cache.written_group) == (
        "server/cache",
        "cache.main",
        True,
        "/server/cache",
    )
    assert backup.optional and backup.override and backup.package == "backup"
    assert augment.options == ("flip", "crop") and augment.is_list
    assert logger.null and logger.options == () and logger.option_spans == ()
    assert (common.config, common.group, common.absolute) == ("base/common", None, False)
    assert (shared.config, shared.package, shared.absolute, shared.written_config) == (
        "shared",
        "here",
        True,
        "/shared",
    )


def test_spans_cover_the_item_the_key_and_each_option() -> None:
    found = _entries(CONFIG)
    backup, augment = found[3], found[4]
    assert _text_at(CONFIG, backup.span) == "optional override db@backup: postgresql"
    assert backup.key_span is not None and _text_at(CONFIG, backup.key_span) == "optional override db@backup"
    assert [_text_at(CONFIG, s) for s in backup.option_spans] == ["postgresql"]
    assert [_text_at(CONFIG, s) for s in augment.option_spans] == ["flip", "crop"]
    assert found[0].key_span is None and _text_at(CONFIG, found[0].span) == "_self_"


def test_absent_or_invalid_defaults() -> None:
    assert entries(parse("a: 1\n")) is None
    assert entries(parse("defaults:\n  db: mysql\n")) == []
    assert entries(parse("- 1\n- 2\n")) is None


def test_package_header_is_read_from_the_top_only() -> None:
    header = package_header(parse(CONFIG).lines)
    assert header is not None and header.value == "_global_"
    assert _text_at(CONFIG, header.span) == "_global_"
    blank_first = "\n\n#   @package   db.primary\nhost: x\n"
    found = package_header(blank_first.splitlines())
    assert found is not None and found.value == "db.primary" and _text_at(blank_first, found.span) == "db.primary"
    # Any other line first ends the header: Hydra does not see a package then.
    assert package_header("# a comment\n# @package _global_\n".splitlines()) is None
    assert package_header("a: 1\n# @package _global_\n".splitlines()) is None
    # Only the first 512 characters are read.
    assert package_header([""] * 600 + ["# @package _global_"]) is None


def test_problems_in_hydras_words() -> None:
    text = """\
defaults:
  - db: mysql
    extra: oops
  - db: 3
  - augment: [flip, 2]
  - 7
  - [a, b]
  - {}
  - overide db: postgresql
  - _self_@pkg
"""
    found = problems(parse(text), "config")
    messages = [m for _, m in found]
    assert messages == [
        "In config: Too many keys in default item {'db': 'mysql', 'extra': 'oops'}",
        "Unsupported item value in defaults : int. Supported: string or list",
        "Unsupported item value in defaults : int, nested list items must be strings",
        "Unsupported type in defaults : int",
        "Unsupported type in defaults : ListConfig",
        "In config: Missing group name in {}",
        "Unknown keyword 'overide' in 'overide db': Hydra ignores it (the keywords are 'optional' and 'override')",
        "_self_@PACKAGE is not supported",
    ]
    spans = [s for s, _ in found]
    assert _text_at(text, spans[1]) == "db: 3"
    assert _text_at(text, spans[6]) == "overide db"
    # The refused items are not entries; the unknown keyword one is (Hydra reads it as `db`).
    listed = _entries(text)
    assert [(e.group, e.options) for e in listed] == [("db", ("postgresql",))]
    assert listed[0].unknown_keywords == ("overide",)


def test_defaults_that_is_not_a_list_and_bad_headers() -> None:
    assert problems(parse("defaults:\n  db: mysql\n"), "cfg") == [
        (Span(1, 2, 1, 11), "Invalid defaults list in 'cfg', defaults must be a list (got mapping)")
    ]
    assert [m for _, m in problems(parse("defaults: 3\n"), "cfg")] == [
        "Invalid defaults list in 'cfg', defaults must be a list (got int)"
    ]
    assert [m for _, m in problems(parse("# @package a b\nx: 1\n"))] == ["Too many components in '@package a b'"]
    assert [m for _, m in problems(parse("# @package\nx: 1\n"))] == [
        "Expected header format: KEY VALUE, got '@package'"
    ]
    assert problems(parse(CONFIG), "config") == []
