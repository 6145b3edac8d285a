"""The `hydra:` section as Hydra 1.3 defines it (hydra/conf/__init__.py: HydraConf), for `${hydra:...}`
completion, hover and checks, and Hydra's own resolvers. Read from HydraConf once and written here as
data (tuneconf never imports Hydra)."""

from __future__ import annotations

HYDRA_KEYS: dict[str, str] = {
    "defaults": "Hydra's own defaults list (launcher, sweeper, logging, ...)",
    "mode": "RUN or MULTIRUN (set by -m)",
    "searchpath": "extra config folders: file://path or pkg://package.module",
    "run": "single-run settings",
    "run.dir": "the output folder of a single run (default outputs/${now:%Y-%m-%d}/${now:%H-%M-%S})",
    "sweep": "multirun settings",
    "sweep.dir": "the root folder of a multirun (default multirun/${now:%Y-%m-%d}/${now:%H-%M-%S})",
    "sweep.subdir": "each job's folder under sweep.dir (default ${hydra.job.num})",
    "hydra_logging": "logging config of Hydra itself",
    "job_logging": "logging config of the job",
    "sweeper": "the sweeper (basic, optuna, ...) and its params",
    "launcher": "the launcher (basic, joblib, submitit, ...)",
    "callbacks": "Hydra callbacks",
    "help": "the app's --help",
    "help.app_name": "the app's name in --help",
    "help.header": "the header of --help",
    "help.footer": "the footer of --help",
    "help.template": "the template of --help",
    "hydra_help": "Hydra's --hydra-help",
    "hydra_help.hydra_help": "Hydra's help text",
    "hydra_help.template": "the template of --hydra-help",
    "output_subdir": "the folder under the output folder where Hydra writes the composed config (.hydra)",
    "overrides": "the overrides of this run",
    "overrides.hydra": "overrides of the hydra: section",
    "overrides.task": "the task's overrides from the command line",
    "job": "the job",
    "job.name": "the job's name (the entry point's file name by default)",
    "job.chdir": "whether Hydra changes the working directory to the output folder",
    "job.override_dirname": "the overrides as a folder name (a=1,b=2)",
    "job.id": "the job's id (multirun)",
    "job.num": "the job's number in a multirun",
    "job.config_name": "the primary config's name",
    "job.env_set": "environment variables set for the job",
    "job.env_copy": "environment variables copied to the job (remote launchers)",
    "job.config": "job settings",
    "job.config.override_dirname": "how job.override_dirname is built",
    "job.config.override_dirname.kv_sep": "the key-value separator (=)",
    "job.config.override_dirname.item_sep": "the item separator (,)",
    "job.config.override_dirname.exclude_keys": "keys left out of job.override_dirname",
    "runtime": "facts of this run",
    "runtime.version": "Hydra's version",
    "runtime.version_base": "the version_base the entry point passes",
    "runtime.cwd": "the working directory the run started in",
    "runtime.config_sources": "the config sources searched",
    "runtime.output_dir": "the output folder of this run",
    "runtime.choices": "the option chosen for each config group",
    "verbose": "loggers at debug level",
}

OPEN_KEYS = frozenset(
    {
        "hydra_logging",
        "job_logging",
        "sweeper",
        "launcher",
        "callbacks",
        "job.env_set",
        "job.env_copy",
        "runtime.choices",
        "runtime.config_sources",
        "overrides.hydra",
        "overrides.task",
        "searchpath",
        "defaults",
    }
)
"""Sections whose content is plugins' or the run's: any key below them may exist."""

HYDRA_RESOLVERS: dict[str, str] = {
    "now": "the current time formatted with strftime (`${now:%Y-%m-%d}`)",
    "hydra": "a value of the hydra: section (`${hydra:runtime.output_dir}`)",
}


def hydra_key_problem(key: str) -> tuple[int, str | None] | None:
    """Where `key` (as in `${hydra:KEY}`) stops naming a key of the hydra section: (index of the first
    unknown segment, a guess), or None when it is a key (or below an open section)."""
    segments = key.split(".")
    for index in range(len(segments)):
        prefix = ".".join(segments[: index + 1])
        if prefix in OPEN_KEYS:
            return None
        if prefix not in HYDRA_KEYS:
            parent = ".".join(segments[:index])
            siblings = [k.rsplit(".", 1)[-1] for k in HYDRA_KEYS if k.rpartition(".")[0] == parent]
            from tuneconf.suggest import closest

            return index, closest(segments[index], siblings)
    return None


def children(prefix: str) -> list[tuple[str, str]]:
    """The keys directly below `prefix` ("" for the top of the hydra section), with their descriptions."""
    return [(k.rsplit(".", 1)[-1], doc) for k, doc in HYDRA_KEYS.items() if k.rpartition(".")[0] == prefix.rstrip(".")]
