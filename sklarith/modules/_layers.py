"""Layers several networks are built from."""

import itertools

from torch import nn


def mlp(sizes, activation):
    """Linear layers of ``sizes`` (input width first), each followed by
    ``activation``; an identity for a single size."""
    layers = []
    for n_in, n_out in itertools.pairwise(sizes):
        layers += [nn.Linear(n_in, n_out), activation()]
    return nn.Sequential(*layers)
