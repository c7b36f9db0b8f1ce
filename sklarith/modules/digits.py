"""Per-image digit distributions combined by exact arithmetic.

The arithmetic head of :class:`~sklarith.ArithmeticMultiOutputClassifier`
gives every image of a row a distribution over the ten digits, which no digit
label ever supervises, and computes the distribution of each result exactly
from them: over the 100 digit pairs for the results of two digits
(:class:`PairResults`), by column addition with carries for the sum of two
numbers of several digits (:class:`NumberSum`), by repeated convolution for
the sum of a row of single digits (:class:`DigitSum`). Training maximises the
likelihood of the observed results, which is what neuro-symbolic systems such
as DeepProbLog do.
"""

import numpy as np
import torch
from torch import nn

from ..datasets._targets import PAIR_TARGETS, digit_sum_terms, number_sum_targets
from ._layers import mlp

N_DIGITS = 10

#: Below this, a probability from an inverse DFT in float64 is rounding error.
_SMALLEST_DFT_PROBABILITY = 1e-12


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


class _ExactResults:
    """What every structure shares: the classes of each output, known up front,
    and the likelihood of the results under a table of digits per cluster."""

    def table_log_likelihood(self, log_tables, clusters, y):
        """Log-probability of the results ``y`` when every image's digit
        distribution is its cluster's row of a table, for each table.

        Parameters
        ----------
        log_tables : torch.Tensor of shape (n_tables, n_clusters, 10)
            Log-probabilities of the digits of each cluster.
        clusters : torch.Tensor of shape (n_rows, n_images)
            The cluster of every image of every row.
        y : torch.Tensor of shape (n_rows, n_outputs)
            Class indices of the observed results.

        Returns
        -------
        log_likelihood : torch.Tensor of shape (n_tables, n_rows)
        """
        n_tables = len(log_tables)
        log_digits = log_tables[:, clusters].flatten(0, 1)
        log_likelihood = self.log_likelihood(log_digits, y.repeat(n_tables, 1))
        return log_likelihood.view(n_tables, -1)

    def encode(self, Y):
        """Class indices of the results ``Y`` (n, n_outputs), or a ValueError."""
        codes = np.empty(Y.shape, dtype=np.int64)
        for i, classes in enumerate(self.classes):
            column = Y[:, i]
            index = np.searchsorted(classes, column).clip(0, len(classes) - 1)
            if not np.array_equal(classes[index], column):
                raise ValueError(
                    f"Column {i} of y holds values outside {classes.min()}-"
                    f"{classes.max()}, which its result cannot take."
                )
            codes[:, i] = index
        return codes


class PairResults(_ExactResults):
    """Results of two single digits, computed exactly over the 100 digit pairs.

    Parameters
    ----------
    targets : list of str
        Names from :data:`sklarith.datasets.PAIR_TARGETS`, one per output.
    """

    n_images = 2

    def __init__(self, targets):
        self.targets = list(targets)
        a, b = np.divmod(np.arange(100), 10)
        results = [PAIR_TARGETS[name](a, b) for name in self.targets]
        self.classes = [np.unique(r) for r in results]
        #: (100, n_outputs): the class index of every output for each pair (a, b).
        self.table = torch.as_tensor(
            np.stack(
                [
                    np.searchsorted(c, r)
                    for c, r in zip(self.classes, results, strict=True)
                ],
                axis=1,
            )
        )

    def log_likelihood(self, log_p, y):
        """Log-probability of the observed results ``y`` (class indices)."""
        joint = (log_p[:, 0, :, None] + log_p[:, 1, None, :]).flatten(1)
        table = self.table.to(y.device)
        consistent = (table[None] == y[:, None, :]).all(dim=-1)
        return torch.logsumexp(joint.masked_fill(~consistent, -torch.inf), dim=1)

    def marginals(self, p):
        """Probabilities of the classes of every output, a list of tensors."""
        joint = (p[:, 0, :, None] * p[:, 1, None, :]).flatten(1)
        table = self.table.to(p.device)
        return [
            joint @ nn.functional.one_hot(table[:, i], len(c)).to(joint.dtype)
            for i, c in enumerate(self.classes)
        ]


def _digit_sum(p_a, p_b):
    """Distribution of a + b, shape (n, 19), for digit distributions (n, 10)."""
    outer = (p_a[:, :, None] * p_b[:, None, :]).flatten(1)
    index = (torch.arange(10)[:, None] + torch.arange(10)[None, :]).flatten()
    index = index.to(p_a.device).expand(p_a.shape[0], -1)
    return torch.zeros(
        p_a.shape[0], 19, dtype=p_a.dtype, device=p_a.device
    ).scatter_add(1, index, outer)


class NumberSum(_ExactResults):
    """The digits of the sum of two ``n_digits``-digit numbers.

    A row holds the first number's digit images, most significant first, then
    the second's. The outputs are the ``n_digits + 1`` digits of the sum, most
    significant first (the leading one is 0 or 1). Probabilities follow column
    addition: at each position the distribution of ``a + b`` and the carry in
    give the distribution of the digit and of the carry out.

    Parameters
    ----------
    n_digits : int
        Digits of each number.
    """

    def __init__(self, n_digits):
        self.n_digits = n_digits
        self.n_images = 2 * n_digits
        self.classes = [np.arange(2)] + [np.arange(10)] * n_digits

    def _column_sums(self, p):
        """Distributions of a + b at each position, units first."""
        n = self.n_digits
        return [_digit_sum(p[:, n - 1 - i], p[:, 2 * n - 1 - i]) for i in range(n)]

    def log_likelihood(self, log_p, y):
        """Log-probability of the observed sum digits ``y`` (most significant first).

        A forward pass over the carry: ``alpha[c]`` is the probability of the
        digits so far with carry ``c`` into the next position, renormalised
        at each step so that 30 images do not underflow.
        """
        alpha = torch.zeros(len(y), 2, dtype=log_p.dtype, device=log_p.device)
        alpha[:, 0] = 1
        log_scale = torch.zeros(len(y), dtype=log_p.dtype, device=log_p.device)
        carry = torch.arange(2, device=y.device)
        for i, sums in enumerate(self._column_sums(log_p.exp())):
            digit = y[:, self.n_digits - i]
            padded = nn.functional.pad(sums, (1, 1))
            # a + b = digit + 10 * carry_out - carry_in, shifted by the padding
            total = (
                digit[:, None, None] + 10 * carry[None, None, :] - carry[None, :, None]
            )
            step = padded.gather(1, (total + 1).flatten(1)).view(-1, 2, 2)
            alpha = (alpha[:, :, None] * step).sum(dim=1)
            norm = alpha.sum(dim=1, keepdim=True).clamp_min(
                torch.finfo(alpha.dtype).tiny
            )
            alpha = alpha / norm
            log_scale = log_scale + norm.squeeze(1).log()
        final = alpha.gather(1, y[:, :1]).squeeze(1)
        return log_scale + final.clamp_min(torch.finfo(alpha.dtype).tiny).log()

    def marginals(self, p):
        """Probabilities of each digit of the sum, most significant first."""
        carry = torch.zeros(p.shape[0], 2, dtype=p.dtype, device=p.device)
        carry[:, 0] = 1
        digits = []
        for sums in self._column_sums(p):
            shifted = nn.functional.pad(sums, (0, 1)) * carry[:, :1]
            shifted = shifted + nn.functional.pad(sums, (1, 0)) * carry[:, 1:]
            digits.append(shifted[:, :10] + shifted[:, 10:])
            carry = torch.stack(
                [shifted[:, :10].sum(dim=1), shifted[:, 10:].sum(dim=1)], dim=1
            )
        return [carry, *reversed(digits)]


class DigitSum(_ExactResults):
    """The value of the sum of ``n_terms`` single digits, from 0 to ``9 * n_terms``.

    A row holds ``n_terms`` digit images; the one output is their sum. Its
    distribution is the convolution of the images' digit distributions, one
    term at a time. The convolution runs in log space: with 64 terms, sums
    far from the likely ones have probabilities far below the smallest
    float32, and the observed sum of a confidently misread row must still
    get a finite log-likelihood and a gradient.

    Parameters
    ----------
    n_terms : int
        Digits summed in each row.
    """

    def __init__(self, n_terms):
        self.n_terms = n_terms
        self.n_images = n_terms
        self.classes = [np.arange(9 * n_terms + 1)]

    def _log_distribution(self, log_p):
        """Log-probabilities of every value of the sum, (n, 9 * n_terms + 1)."""
        log_sum = log_p[:, 0]
        for term in range(1, self.n_terms):
            # Window s holds the partial sums s - 9, ..., s; the reversed digit
            # log-probabilities pair partial sum s - d with digit d.
            windows = nn.functional.pad(
                log_sum, (N_DIGITS - 1, N_DIGITS - 1), value=-torch.inf
            ).unfold(1, N_DIGITS, 1)
            log_sum = torch.logsumexp(windows + log_p[:, term, None].flip(-1), dim=-1)
        return log_sum

    def log_likelihood(self, log_p, y):
        """Log-probability of the observed sums ``y`` (n, 1)."""
        return self._log_distribution(log_p).gather(1, y).squeeze(1)

    def marginals(self, p):
        """Probabilities of every value of the sum, a list of one tensor."""
        return [self._log_distribution(p.log()).exp()]

    def table_log_likelihood(self, log_tables, clusters, y):
        """Log-probability of the observed sums when every image's digit
        distribution is its cluster's row of a table, for each table.

        Only how many images of a row fall in each cluster matters, so the
        sum's characteristic function is the product of the clusters' raised
        to those counts: one product of the counts (n_rows, n_clusters) with
        the clusters' log characteristic functions (n_clusters, frequencies)
        instead of ``n_terms`` convolutions per row and table; the inverse
        DFT at the observed sum gives its probability. This runs in float64,
        and probabilities below the DFT's rounding error (``1e-12``) count
        as that; a table on which a row is so unlikely loses to the true one
        anyway. The arguments and the result are those of every structure's
        ``table_log_likelihood``.
        """
        n_values = 9 * self.n_terms + 1
        counts = nn.functional.one_hot(clusters, log_tables.shape[1]).sum(dim=1)
        # The spectrum of a real distribution is conjugate-symmetric: the
        # frequencies up to half the values, counted twice but for the
        # first (and the middle one of an even number of values), suffice.
        frequencies = torch.arange(n_values // 2 + 1, dtype=torch.float64)
        frequencies = frequencies.mul(2 * torch.pi / n_values).to(y.device)
        weights = torch.full_like(frequencies, 2.0)
        weights[0] = 1
        if n_values % 2 == 0:
            weights[-1] = 1
        angles = frequencies[:, None] * torch.arange(N_DIGITS, device=y.device)
        p = log_tables.double().exp()
        real, imaginary = p @ angles.cos().T, p @ angles.sin().T
        log_modulus = counts.double() @ (real.square() + imaginary.square()).log() / 2
        argument = counts.double() @ torch.atan2(imaginary, real)
        phase = argument - frequencies * y.double()
        probability = (weights * log_modulus.exp() * phase.cos()).sum(-1) / n_values
        log_likelihood = probability.clamp_min(_SMALLEST_DFT_PROBABILITY).log()
        return log_likelihood.to(log_tables.dtype)


class ArithmeticLikelihood(nn.Module):
    """Negative log-likelihood of the observed results under exact arithmetic.

    The network's output holds the digit logits of every image of a row;
    ``structure`` (:class:`PairResults`, :class:`NumberSum` or
    :class:`DigitSum`) turns the digit distributions into the probability of
    the results.

    Parameters
    ----------
    structure : PairResults, NumberSum or DigitSum
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

    What the arithmetic head's network is first trained with when its digits
    start from a clustering (``digit_init="clusters"``): ``y`` holds a digit
    for every image of a row, shape (n_rows, n_images).
    """

    def forward(self, logits, y):
        return nn.functional.cross_entropy(
            logits.reshape(-1, N_DIGITS), y.reshape(-1).long()
        )


def structure_for_targets(names):
    """The exact arithmetic that computes the outputs called ``names``.

    Names from :data:`sklarith.datasets.PAIR_TARGETS` give
    :class:`PairResults`; the columns of
    :func:`sklarith.datasets.make_number_addition` give :class:`NumberSum`,
    the column of :func:`sklarith.datasets.make_digit_sums` :class:`DigitSum`.
    """
    names = list(names)
    if names and all(name in PAIR_TARGETS for name in names):
        return PairResults(names)
    if len(names) >= 2 and names == number_sum_targets(len(names) - 1):
        return NumberSum(len(names) - 1)
    if len(names) == 1 and digit_sum_terms(names[0]) is not None:
        return DigitSum(digit_sum_terms(names[0]))
    raise ValueError(
        f"head='arithmetic' computes results it knows by name, but the targets "
        f"are {names}. Pass targets= (or y as a DataFrame with these columns): "
        f"names among {sorted(PAIR_TARGETS)}, as make_arithmetic_pairs gives, or "
        "sum_digit_<k> for each digit of a sum, most significant first, as "
        "make_number_addition gives; or one column sum_of_<k>_digits for the "
        "sum of k single digits, as make_digit_sums gives; or use head='mlp'."
    )
