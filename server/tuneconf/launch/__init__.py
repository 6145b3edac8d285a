"""Running a config: the plan (argv, overrides, profile), GPU discovery, the prepare step, outputs a run
would overwrite, SLURM export, execution."""
