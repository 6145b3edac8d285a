"""Hydra configs: `_target_` components, config roots and groups, defaults lists, static composition,
Hydra's override grammar and its resolvers. Pure (no pygls), never imports the analysed project:
entry points and call sites are read with `ast`, configs with our parser and OmegaConf."""
