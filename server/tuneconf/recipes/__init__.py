"""Recipes: which one a config belongs to, what it reads and supplies, and how to launch it."""
