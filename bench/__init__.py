"""Benchmarks, one script per issue; run each with the project virtual environment."""
