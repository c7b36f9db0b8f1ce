"""``show_versions``: what to paste into a bug report."""

import importlib.metadata
import platform
import sys

import torch

#: The packages whose versions a bug report needs, as pip names them.
_PACKAGES = (
    "sklarith",
    "numpy",
    "scipy",
    "pandas",
    "scikit-learn",
    "skorch",
    "torch",
    "torchvision",
    "matplotlib",
    "dask",
    "distributed",
)


def _installed_version(package):
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def _sections():
    """``{section: {name: value}}``: the system, the packages, torch's devices."""
    cuda_devices = [
        torch.cuda.get_device_name(index) for index in range(torch.cuda.device_count())
    ]
    return {
        "System": {
            "python": sys.version.replace("\n", " "),
            "executable": sys.executable,
            "machine": platform.platform(),
        },
        "Python dependencies": {
            package: _installed_version(package) for package in _PACKAGES
        },
        "Devices": {
            "torch threads": torch.get_num_threads(),
            "CUDA available": torch.cuda.is_available(),
            "CUDA version": torch.version.cuda,
            "CUDA devices": ", ".join(cuda_devices) or None,
        },
    }


def show_versions():
    """Print the versions of sklarith, Python, the dependencies and the devices.

    What a bug report needs, in the form of :func:`sklearn.show_versions`:
    the system, the installed versions of the packages sklarith depends on
    (``None`` for an optional one that is not installed), and what torch sees:
    its threads and the CUDA devices.

    Examples
    --------
    >>> from sklarith import show_versions
    >>> show_versions()  # doctest: +SKIP
    """
    for title, entries in _sections().items():
        print(f"\n{title}:")
        width = max(len(name) for name in entries)
        for name, value in entries.items():
            print(f"{name:>{width + 4}}: {value}")
