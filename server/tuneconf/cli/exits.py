"""The CLI's exit codes, one meaning each across commands."""

OK = 0
FINDINGS = 1
"""`check`: a config has errors; `show`: it cannot be shown or resolved; `run`: the plan is blocked."""
USAGE = 2
"""Bad arguments, or a file that cannot be read."""
