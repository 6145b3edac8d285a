"""OmegaConf interpolations: `${...}` parsed with OmegaConf's own grammar, resolved on our tree."""
