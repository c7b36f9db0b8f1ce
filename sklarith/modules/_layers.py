"""Layers several networks are built from."""

import itertools

import torch
from torch import nn

from ._random import Dropout


def scale_pixels(pixels, data_min, data_range):
    """Map pixels from ``[data_min, data_min + data_range]``, the range an
    encoder saw at fit, to [0, 1], clipping those outside.

    The one pixel scaling of sklarith: the encoders apply it to numpy arrays
    before encoding, the networks that fine-tune an encoder to the tensors of
    their rows, and an exported model to its input; ``clip`` is a method of
    both, so that all scale alike.
    """
    return ((pixels - data_min) / data_range).clip(0.0, 1.0)


def mlp(sizes, activation, dropout=0.0):
    """Linear layers of ``sizes`` (input width first), each followed by
    ``activation`` and, when ``dropout`` is positive, by dropout of that
    share of its units in training (drawn from the fit's own generator, so
    that a random state gives the same model); an identity for a single
    size."""
    layers = []
    for n_in, n_out in itertools.pairwise(sizes):
        layers += [nn.Linear(n_in, n_out), activation()]
        if dropout:
            layers.append(Dropout(dropout))
    return nn.Sequential(*layers)


@torch.no_grad()
def refresh_batch_norm(module, batches):
    """Set the stored statistics of every batch normalisation in ``module`` to
    the exact mean and variance of its inputs over ``batches``.

    Training keeps running averages, which lag behind the weights when
    training took few steps; the codes an encoder gives in evaluation mode
    would then differ from those it trained with. Dropout is off during the
    pass, as in evaluation, and the module is left in evaluation mode.

    Parameters
    ----------
    module : torch.nn.Module
        The network; nothing is done without batch normalisation.
    batches : iterable of torch.Tensor
        Inputs of ``module`` on its device.
    """
    norms = [
        m for m in module.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)
    ]
    if not norms:
        return
    momenta = [norm.momentum for norm in norms]
    module.eval()
    for norm in norms:
        norm.reset_running_stats()
        # None: a cumulative average over every batch, each weighted alike.
        norm.momentum = None
        norm.train()
    for batch in batches:
        module(batch)
    for norm, momentum in zip(norms, momenta, strict=True):
        norm.momentum = momentum
    module.eval()
