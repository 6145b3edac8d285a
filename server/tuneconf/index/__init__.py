"""The static signature index: dotpaths resolved to signatures without importing anything."""
