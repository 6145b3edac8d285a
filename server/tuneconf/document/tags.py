"""YAML's standard tags (the `!!` shorthands), as PyYAML names them: `STR` is "tag:yaml.org,2002:str"."""

PREFIX = "tag:yaml.org,2002:"
_NAMES = ["str", "null", "bool", "int", "float", "binary", "timestamp", "merge", "value", "map", "seq", "omap", "pairs"]
STR, NULL, BOOL, INT, FLOAT, BINARY, TIMESTAMP, MERGE, VALUE, MAP, SEQ, OMAP, PAIRS = (PREFIX + n for n in _NAMES)
