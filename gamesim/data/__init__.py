"""Bundled data sets and the default experiment (see README.md here)."""
