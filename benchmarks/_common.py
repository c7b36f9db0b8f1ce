"""Helpers shared by the benchmark scripts: what machine, when, how much memory."""

import resource

from sklarith.cli._report import machine_description, today


def peak_memory_mib():
    """Peak resident memory of this process so far, in MiB (Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def header(command):
    """The lines every benchmark prints first: command, machine, date."""
    return f"command: {command}\nmachine: {machine_description()}\ndate: {today()}"
