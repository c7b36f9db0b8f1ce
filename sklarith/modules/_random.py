"""The random streams of the fit running in this thread.

Training draws random numbers for the batch order, dropout and augmentation.
Drawn from torch's process-wide generator, fits running at the same time in
one process (joblib's threading backend, a Dask worker's threads) would draw
from one another's streams and lose their reproducibility. Each fit instead
installs generators of its own for its thread (:func:`use_generators`), and
the modules that draw take them from here (:func:`generator`); outside a fit
they draw from torch's default generators, as torch's own modules do.
"""

import contextlib
import threading

import torch

_fit = threading.local()


@contextlib.contextmanager
def use_generators(generators):
    """Draw from ``generators`` (a dict of device type to
    :class:`torch.Generator`) in this thread while the context is open."""
    previous = getattr(_fit, "generators", None)
    _fit.generators = generators
    try:
        yield
    finally:
        _fit.generators = previous


def generator(device):
    """The generator of the fit running in this thread for ``device``, or
    ``None`` (torch's default generator) outside a fit."""
    generators = getattr(_fit, "generators", None)
    if generators is None:
        return None
    return generators.get(torch.device(device).type)


class Dropout(torch.nn.Module):
    """:class:`torch.nn.Dropout` drawing from the fit's generator.

    In training, each value is zeroed with probability ``p`` and the others
    are scaled by ``1 / (1 - p)``; on the CPU the mask is drawn as torch's
    own dropout draws it, so the same generator state gives the same mask.

    Parameters
    ----------
    p : float
        Probability of zeroing a value.
    """

    def __init__(self, p=0.5):
        super().__init__()
        self.p = p

    def forward(self, x):
        if not self.training or self.p == 0:
            return x
        noise = torch.empty_like(x).bernoulli_(
            1 - self.p, generator=generator(x.device)
        )
        noise.div_(1 - self.p)
        return x * noise

    def extra_repr(self):
        return f"p={self.p}"
