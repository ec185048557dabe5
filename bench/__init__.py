"""Benchmarks for PeerLink: run them as modules, e.g. ``python -m bench.matching``."""
