"""Layers several networks are built from."""

import itertools

from torch import nn

from ._random import Dropout


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
