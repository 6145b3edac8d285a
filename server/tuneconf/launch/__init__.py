"""Running a config: the plan (argv, overrides, profile), GPU discovery, SLURM export, execution."""
