"""The network of :class:`~sklarith.DigitArithmeticClassifier` and its losses.

:class:`DigitMLP` gives every image of a row a distribution over the ten
digits, which no digit label ever supervises; :class:`ArithmeticLikelihood`
scores the observed results under the exact arithmetic of a structure
(:mod:`sklarith.structures`), which it is given and never chooses.
"""

import torch
from torch import nn

from ..structures import N_DIGITS
from ._layers import mlp


class DigitMLP(nn.Module):
    """One MLP shared by every image of a row, giving each image digit logits.

    Parameters
    ----------
    n_features : int
        Width of a row: ``n_images`` equal parts, one per image.
    n_images : int
        Images per row.
    hidden_layer_sizes : tuple of int
        Hidden layers of the per-image MLP.
    activation : type of torch.nn.Module
        Nonlinearity after every hidden layer.
    mean, scale : torch.Tensor of shape (n_features,) or None
        Input standardisation; ``None`` leaves inputs unchanged.
    """

    def __init__(
        self,
        n_features,
        n_images,
        hidden_layer_sizes=(1000,),
        activation=nn.ReLU,
        mean=None,
        scale=None,
    ):
        super().__init__()
        self.n_images = n_images
        self.register_buffer(
            "mean", torch.zeros(n_features) if mean is None else torch.as_tensor(mean)
        )
        self.register_buffer(
            "scale", torch.ones(n_features) if scale is None else torch.as_tensor(scale)
        )
        per_image = n_features // n_images
        self.mlp = nn.Sequential(
            mlp([per_image, *hidden_layer_sizes], activation),
            nn.Linear(hidden_layer_sizes[-1] if hidden_layer_sizes else per_image, 10),
        )

    def forward(self, x):
        n_rows = x.shape[0]
        images = ((x - self.mean) / self.scale).reshape(n_rows * self.n_images, -1)
        return self.mlp(images).reshape(n_rows, self.n_images * N_DIGITS)


class ArithmeticLikelihood(nn.Module):
    """Negative log-likelihood of the observed results under exact arithmetic.

    The network's output holds the digit logits of every image of a row;
    ``structure`` (a :class:`~sklarith.structures.PairResults`,
    :class:`~sklarith.structures.NumberSum` or
    :class:`~sklarith.structures.DigitSum`) turns the digit distributions
    into the probability of the results.

    Parameters
    ----------
    structure : PairResults, NumberSum or DigitSum
        The arithmetic that computes the results from the digits.
    """

    def __init__(self, structure):
        super().__init__()
        self.structure = structure

    def _log_digits(self, logits):
        return torch.log_softmax(logits.view(logits.shape[0], -1, N_DIGITS), dim=-1)

    def forward(self, logits, y):
        return -self.structure.log_likelihood(self._log_digits(logits), y).mean()

    def probabilities(self, logits):
        """Class probabilities of every output, a list of (n, n_classes) tensors."""
        return self.structure.marginals(self._log_digits(logits).exp())


class DigitCrossEntropy(nn.Module):
    """Cross-entropy of every image's digit logits against a digit per image.

    What the digit network is first trained with when its digits start from
    a clustering (``digit_init="clusters"``): ``y`` holds a digit
    for every image of a row, shape (n_rows, n_images).
    """

    def forward(self, logits, y):
        return nn.functional.cross_entropy(
            logits.reshape(-1, N_DIGITS), y.reshape(-1).long()
        )
