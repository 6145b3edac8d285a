"""The LSP adapter: the pygls shell and what only it needs (protocol, capability fitting, publishing,
command adapters). The only package that imports pygls."""
