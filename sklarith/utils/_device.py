"""The device a net trains on, and the seed its random streams start from."""

import numpy as np
import torch
from sklearn.utils import check_random_state


def resolve_device(device):
    """Return the torch device string to train on.

    ``"auto"`` picks the first CUDA device when one is available and the CPU
    otherwise. Only the CPU and CUDA devices present are supported: other
    device types torch knows (``"mps"``, ``"xpu"``, ``"meta"``...) are
    refused, and so is a CUDA request on a machine without CUDA, or for a
    device index it does not have, rather than silently falling back to the
    CPU, so that a slow CPU run is never mistaken for a GPU run.
    """
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    supported = "'auto', 'cpu', 'cuda' or 'cuda:<index>'"
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(f"device must be {supported}; got {device!r}.") from exc
    if resolved.type not in ("cpu", "cuda"):
        raise ValueError(
            f"device must be {supported}; got {device!r}: sklarith trains on the "
            "CPU or on CUDA GPUs only."
        )
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} was requested but CUDA is not available on this "
            "machine; pass device='auto' or device='cpu'."
        )
    if resolved.type == "cuda" and resolved.index is not None:
        n_devices = torch.cuda.device_count()
        if resolved.index >= n_devices:
            raise ValueError(
                f"device={device!r} was requested but this machine has "
                f"{n_devices} CUDA device(s), cuda:0 to cuda:{n_devices - 1}; "
                "pass one of them, or device='cuda' for the first."
            )
    return str(resolved)


def torch_seed(random_state):
    """Draw the integer seed for torch from a scikit-learn ``random_state``."""
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))
