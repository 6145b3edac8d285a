"""The CLI's exit codes, one meaning each across commands."""

OK = 0
FINDINGS = 1
"""`check`: a config has errors; `show`: it cannot be shown or resolved; `run`: the plan is blocked, or it
needs confirming (`--yes`) where there is no terminal to ask."""
USAGE = 2
"""Bad arguments, a file that cannot be read (missing, not a regular file, too large), or a config whose
values OmegaConf would refuse to expand (its node limit)."""
