"""Benchmarks, run on demand (`invoke bench`), never as timed tests: our build against bare Pelican
and the nearest community setup, cold and warm (after one edit), promotion, deploy and the
reader's page.

Entry point: ``bench/run.py`` (``python -m bench.run --help``).
"""
