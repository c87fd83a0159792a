"""Benchmarks with their recorded baselines (run by `make bench`, never in CI)."""
