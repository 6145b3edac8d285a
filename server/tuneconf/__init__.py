"""tuneconf: a language server and checker for torchtune-style YAML configs."""

__version__ = "0.1.0"
