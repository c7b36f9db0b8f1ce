"""Helpers shared by the benchmark scripts: what machine, when, how much memory."""

from sklarith.cli._report import header, peak_memory_mib

__all__ = ["header", "peak_memory_mib"]
