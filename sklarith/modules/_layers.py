"""Layers several networks are built from."""

import itertools

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
