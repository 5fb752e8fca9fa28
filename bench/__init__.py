"""Benchmarks, run by hand (`python -m bench.<name>`); not part of the installed package or the tests."""
