"""The device a net trains on, and the seed its random streams start from."""

import numpy as np
import torch
from sklearn.utils import check_random_state


def resolve_device(device):
    """Return the torch device string to train on.

    ``"auto"`` picks the first CUDA device when one is available and the CPU
    otherwise. An explicit CUDA request on a machine without CUDA is an error
    rather than a silent fallback, so that a slow CPU run is never mistaken
    for a GPU run.
    """
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(
            f"device must be 'auto', 'cpu', 'cuda' or 'cuda:<index>'; got {device!r}."
        ) from exc
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} was requested but CUDA is not available on this "
            "machine; pass device='auto' or device='cpu'."
        )
    return str(resolved)


def torch_seed(random_state):
    """Draw the integer seed for torch from a scikit-learn ``random_state``."""
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))
