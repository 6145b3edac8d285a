"""Runs you can watch: where a config's metric logger writes (loggers.py), its DiskLogger files read
tolerantly and incrementally (logs.py), the runs of a config (history.py) and a self-contained HTML
report of their curves (report.py)."""
