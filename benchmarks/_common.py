"""Helpers shared by the benchmark scripts: what machine, when, how much memory."""

from sklarith.cli._report import machine_description, peak_memory_mib, today

__all__ = ["header", "peak_memory_mib"]


def header(command):
    """The lines every benchmark prints first: command, machine, date."""
    return f"command: {command}\nmachine: {machine_description()}\ndate: {today()}"
