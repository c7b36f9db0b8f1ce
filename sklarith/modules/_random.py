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


#: Dropout draws its masks as 16-bit random integers, four from each 64-bit
#: draw: a quarter of the generator's work of torch's own dropout, which
#: draws a float per value and is, after the matrix products, the largest
#: share of a small MLP's training step on a CPU. The drop probability is
#: thereby rounded to a multiple of 1 / 65,536.
_MASK_LEVELS = 2**16


def keep_mask(like, p, generator=None):
    """A tensor shaped and typed as ``like``: 0 with probability ``p``
    (rounded to a multiple of 1 / 65,536), else ``1 / (1 - p)``.

    Parameters
    ----------
    like : torch.Tensor
        The values the mask is for; it takes their shape, dtype and device.
    p : float
        Probability of a zero, in [0, 1).
    generator : torch.Generator or None
        The generator to draw from; ``None``: torch's default one.
    """
    dropped_levels = round(p * _MASK_LEVELS)
    if dropped_levels == _MASK_LEVELS:
        # p within 1 / 131,072 of 1: every level dropped. The threshold would
        # not fit in 16 bits (it would wrap around and keep every value).
        return torch.zeros_like(like)
    n_values = like.numel()
    words = torch.randint(
        torch.iinfo(torch.int64).min,
        torch.iinfo(torch.int64).max,
        ((n_values + 3) // 4,),
        dtype=torch.int64,
        device=like.device,
        generator=generator,
    )
    levels = words.view(torch.int16)[:n_values].view(like.shape)
    # int16 levels run from -32,768: the first dropped_levels are dropped.
    threshold = dropped_levels - _MASK_LEVELS // 2
    return (levels >= threshold).to(like.dtype) * (1 / (1 - p))


class Dropout(torch.nn.Module):
    """:class:`torch.nn.Dropout` drawing from the fit's generator.

    In training, each value is zeroed with probability ``p`` and the others
    are scaled by ``1 / (1 - p)``; the mask comes from :func:`keep_mask`, so
    the same generator state gives the same mask.

    Parameters
    ----------
    p : float
        Probability of zeroing a value, in [0, 1).
    """

    def __init__(self, p=0.5):
        super().__init__()
        self.p = p

    def forward(self, x):
        if not self.training or self.p == 0:
            return x
        return x * keep_mask(x, self.p, generator(x.device))

    def extra_repr(self):
        return f"p={self.p}"
