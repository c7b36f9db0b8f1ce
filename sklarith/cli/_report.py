"""What the commands and benchmarks print beside a figure: machine and date."""

import datetime
import os
import platform
import resource
import sys

import sklearn
import skorch
import torch


def machine_description():
    """One line naming the CPU, the cores, the accelerator and the versions."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no GPU"
    return (
        f"{cpu}, {os.cpu_count()} cores, {gpu}; Python {sys.version.split()[0]}, "
        f"torch {torch.__version__}, skorch {skorch.__version__}, "
        f"scikit-learn {sklearn.__version__}"
    )


def header(command):
    """The lines printed before any figure: the command, the machine, the date."""
    return f"command: {command}\nmachine: {machine_description()}\ndate: {today()}"


def today():
    """Today's date, ISO format."""
    return datetime.date.today().isoformat()


def peak_memory_mib():
    """Peak resident memory of this process so far, in MiB (Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
