"""The exact arithmetic a digit-reading classifier computes, as objects.

A :class:`~sklarith.DigitArithmeticClassifier` gives every image of a row a
distribution over the ten digits, which no digit label ever supervises, and
its ``structure`` computes the distribution of each result exactly from
them: over the 100 digit pairs for the results of two digits
(:class:`PairResults`), by column addition with carries for the sum of two
numbers of several digits (:class:`NumberSum`), by repeated convolution for
the sum of a row of single digits (:class:`DigitSum`). Training maximises
the likelihood of the observed results, which is what neuro-symbolic systems
such as DeepProbLog do.

Each structure says how many images a row holds (``n_images``), the classes
of each result (``classes``) and the names of the results (``targets``), the
columns the matching data maker of :mod:`sklarith.datasets` gives:
:func:`~sklarith.datasets.make_arithmetic_pairs`,
:func:`~sklarith.datasets.make_number_addition` and
:func:`~sklarith.datasets.make_digit_sums`. The definitions of the results,
which those makers label their rows with, live here too, so that the data and
the arithmetic that learns them can never disagree.
"""

import numbers

import numpy as np
import torch
from torch import nn

#: The ten classes of a digit.
N_DIGITS = 10

#: Below this, a probability from an inverse DFT in float64 is rounding error.
_SMALLEST_DFT_PROBABILITY = 1e-12

#: Every result :func:`~sklarith.datasets.make_arithmetic_pairs` can label a
#: pair of digits ``(a, b)`` with, by name.
PAIR_TARGETS = {
    "sum": lambda a, b: a + b,
    "sum_units": lambda a, b: (a + b) % 10,
    "sum_tens": lambda a, b: (a + b) // 10,
    "product": lambda a, b: a * b,
    "product_units": lambda a, b: (a * b) % 10,
    "product_tens": lambda a, b: (a * b) // 10,
    "greater": lambda a, b: (a > b).astype(np.int64),
}

#: The five results of the arithmetic experiment: the default targets of
#: :func:`~sklarith.datasets.make_arithmetic_pairs` and of
#: :class:`PairResults`.
ARITHMETIC_TARGETS = (
    "sum_units",
    "sum_tens",
    "product_units",
    "product_tens",
    "greater",
)


def _number_sum_targets(n_digits):
    """Column names of the digits of a sum of two ``n_digits``-digit numbers,
    most significant first: ``sum_digit_1, sum_digit_0`` for single digits."""
    return [f"sum_digit_{power}" for power in range(n_digits, -1, -1)]


def _digit_sum_target(n_terms):
    """Column name of the sum of ``n_terms`` single digits: ``sum_of_16_digits``
    for sixteen."""
    return f"sum_of_{n_terms}_digits"


def _check_count(value, name, structure):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
        raise ValueError(
            f"{structure} needs {name} as a whole number of at least 1; got {value!r}."
        )
    return int(value)


def _check_digits(digits, structure):
    """``digits`` as an int64 array of one row of ``structure.n_images``
    digits per row, or a ValueError."""
    digits = np.asarray(digits, dtype=np.int64)
    if digits.ndim != 2 or digits.shape[1] != structure.n_images:
        raise ValueError(
            f"{structure!r} computes results of rows of {structure.n_images} "
            f"digits; got digits of shape {digits.shape}."
        )
    return digits


class _ExactResults:
    """What every structure shares: the classes of each output, known up front,
    the likelihood of the results under a table of digits per cluster, and
    equality by the parameters (a structure is a value, like a kernel)."""

    def _parameters(self):
        raise NotImplementedError

    def __eq__(self, other):
        return type(other) is type(self) and other._parameters() == self._parameters()

    def __hash__(self):
        return hash(repr(self))

    def __repr__(self):
        (name, value), *_ = self._parameters()
        return f"{type(self).__name__}({name}={value!r})"

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

    A row holds two digit images; each output is a result of their digits
    ``(a, b)`` named in :data:`PAIR_TARGETS`, as
    :func:`~sklarith.datasets.make_arithmetic_pairs` labels its pairs.

    Parameters
    ----------
    targets : sequence of str, default=ARITHMETIC_TARGETS
        Names from :data:`PAIR_TARGETS`, one per output, in the order of the
        columns of ``y``.

    Attributes
    ----------
    n_images : int
        Images per row: 2.
    targets : list of str
        The names of the outputs.
    classes : list of ndarray
        Every value each output can take.

    Examples
    --------
    >>> from sklarith.structures import PairResults
    >>> structure = PairResults(["sum", "greater"])
    >>> structure
    PairResults(targets=['sum', 'greater'])
    >>> structure.n_images, [len(c) for c in structure.classes]
    (2, [19, 2])
    """

    n_images = 2

    def __init__(self, targets=ARITHMETIC_TARGETS):
        if isinstance(targets, str):
            targets = [targets]
        self.targets = list(targets)
        unknown = sorted(set(self.targets) - set(PAIR_TARGETS))
        if unknown or not self.targets:
            raise ValueError(
                f"PairResults computes the results named in PAIR_TARGETS, "
                f"{sorted(PAIR_TARGETS)}; got {self.targets}."
            )
        a, b = np.divmod(np.arange(100), 10)
        results = [PAIR_TARGETS[name](a, b) for name in self.targets]
        self.classes = [np.unique(r) for r in results]
        # (100, n_outputs): the class index of every output for each pair
        # (a, b). A numpy array, so that an estimator holding the structure
        # persists with skops, which refuses tensors.
        self.table = np.stack(
            [np.searchsorted(c, r) for c, r in zip(self.classes, results, strict=True)],
            axis=1,
        )

    def _parameters(self):
        return (("targets", self.targets),)

    def results(self, digits):
        """The results of rows of digits, by integer arithmetic.

        Parameters
        ----------
        digits : array-like of shape (n_rows, 2)
            The two digits of each row.

        Returns
        -------
        results : ndarray of shape (n_rows, n_outputs)
            One column per name of ``targets``.
        """
        digits = _check_digits(digits, self)
        a, b = digits[:, 0], digits[:, 1]
        return np.stack([PAIR_TARGETS[name](a, b) for name in self.targets], axis=1)

    def _consistent_pairs(self, y):
        """(n_rows, 100): which digit pairs give each row's results."""
        table = torch.as_tensor(self.table, device=y.device)
        return (table[None] == y[:, None, :]).all(dim=-1)

    def log_likelihood(self, log_p, y):
        """Log-probability of the observed results ``y`` (class indices)."""
        joint = (log_p[:, 0, :, None] + log_p[:, 1, None, :]).flatten(1)
        consistent = self._consistent_pairs(y)
        return torch.logsumexp(joint.masked_fill(~consistent, -torch.inf), dim=1)

    def table_log_likelihood(self, log_tables, clusters, y):
        """Log-probability of the results ``y`` when every image's digit
        distribution is its cluster's row of a table, for each table.

        The same as every structure's, with the digit pairs that give each
        row's results found once for all the tables rather than per table.
        """
        first, second = log_tables[:, clusters[:, 0]], log_tables[:, clusters[:, 1]]
        joint = (first[..., :, None] + second[..., None, :]).flatten(2)
        consistent = self._consistent_pairs(y)
        return torch.logsumexp(joint.masked_fill(~consistent, -torch.inf), dim=2)

    def marginals(self, p):
        """Probabilities of the classes of every output, a list of tensors."""
        joint = (p[:, 0, :, None] * p[:, 1, None, :]).flatten(1)
        table = torch.as_tensor(self.table, device=p.device)
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

    Attributes
    ----------
    n_images : int
        Images per row: ``2 * n_digits``.
    targets : list of str
        The names of the outputs, the columns of
        :func:`~sklarith.datasets.make_number_addition`:
        ``sum_digit_<n_digits>, ..., sum_digit_0``.
    classes : list of ndarray
        Every value each output can take: 0-1 for the leading digit, 0-9
        for the others.

    Examples
    --------
    >>> from sklarith.structures import NumberSum
    >>> structure = NumberSum(n_digits=2)
    >>> structure.n_images, structure.targets
    (4, ['sum_digit_2', 'sum_digit_1', 'sum_digit_0'])
    """

    def __init__(self, n_digits):
        self.n_digits = _check_count(n_digits, "n_digits", "NumberSum")
        self.n_images = 2 * self.n_digits
        self.targets = _number_sum_targets(self.n_digits)
        self.classes = [np.arange(2)] + [np.arange(10)] * self.n_digits

    def _parameters(self):
        return (("n_digits", self.n_digits),)

    def results(self, digits):
        """The digits of the sum of each row's two numbers, by column addition.

        Parameters
        ----------
        digits : array-like of shape (n_rows, 2 * n_digits)
            The first number's digits, most significant first, then the
            second's.

        Returns
        -------
        results : ndarray of shape (n_rows, n_digits + 1)
            The digits of the sum, most significant first. Column addition
            with carries, so that sums of numbers of 19 digits and more, which
            do not fit in int64, come out right.
        """
        digits = _check_digits(digits, self)
        n = self.n_digits
        first, second = digits[:, :n], digits[:, n:]
        sum_digits = np.empty((len(digits), n + 1), dtype=np.int64)
        carry = np.zeros(len(digits), dtype=np.int64)
        for position in range(n - 1, -1, -1):
            total = first[:, position] + second[:, position] + carry
            sum_digits[:, position + 1], carry = total % 10, total // 10
        sum_digits[:, 0] = carry
        return sum_digits

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

    def table_log_likelihood(self, log_tables, clusters, y):
        """Log-probability of the observed sum digits when every image's digit
        distribution is its cluster's row of a table, for each table.

        The same as every structure's, computed so that long numbers take
        seconds: the distribution of ``a + b`` is found once per pair of
        clusters rather than per position of every row, each position becomes
        the 2 x 2 matrix from carry in to carry out, and the positions'
        matrices are multiplied pairwise in ``log2(n_digits)`` rounds (each
        renormalised, in float64) rather than in ``n_digits`` steps.
        """
        n, n_clusters = self.n_digits, log_tables.shape[1]
        p = log_tables.double().exp()
        n_tables = len(p)
        pairs = _digit_sum(
            p[:, :, None].expand(-1, -1, n_clusters, -1).reshape(-1, N_DIGITS),
            p[:, None].expand(-1, n_clusters, -1, -1).reshape(-1, N_DIGITS),
        )
        # Padded so that a + b = -1 and 19, which no carry allows, read 0.
        pairs = nn.functional.pad(pairs, (1, 1)).view(n_tables, -1)
        n_values = pairs.shape[1] // n_clusters**2
        carry = torch.arange(2, device=y.device)
        # a + b = digit + 10 * carry_out - carry_in, per position and carries
        total = y[:, 1:, None, None] + 10 * carry[None, None, None, :] - carry[:, None]
        pair = clusters[:, :n] * n_clusters + clusters[:, n:]
        index = pair[:, :, None, None] * n_values + total + 1
        # Units first, so that a row vector of the carry in multiplies them
        # from the left.
        steps = pairs[:, index.flip(1)]
        log_scale = torch.zeros(steps.shape[:2], dtype=steps.dtype, device=y.device)
        tiny = torch.finfo(steps.dtype).tiny
        while steps.shape[2] > 1:
            if steps.shape[2] % 2:
                identity = torch.eye(2, dtype=steps.dtype, device=y.device)
                identity = identity.expand(*steps.shape[:2], 1, 2, 2)
                steps = torch.cat([steps, identity], dim=2)
            steps = steps[:, :, 0::2] @ steps[:, :, 1::2]
            scale = steps.amax(dim=(3, 4), keepdim=True).clamp_min(tiny)
            steps = steps / scale
            log_scale = log_scale + scale.log().sum(dim=(2, 3, 4))
        # No carry into the units; the leading digit is the last carry out.
        final = steps[:, :, 0, 0].gather(2, y[None, :, :1].expand(n_tables, -1, 1))
        log_likelihood = log_scale + final.squeeze(2).clamp_min(tiny).log()
        return log_likelihood.to(log_tables.dtype)

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

    Attributes
    ----------
    n_images : int
        Images per row: ``n_terms``.
    targets : list of str
        The name of the one output, the column of
        :func:`~sklarith.datasets.make_digit_sums`: ``sum_of_<n_terms>_digits``.
    classes : list of ndarray
        Every value of the sum, 0 to ``9 * n_terms``.

    Examples
    --------
    >>> from sklarith.structures import DigitSum
    >>> structure = DigitSum(n_terms=16)
    >>> structure.n_images, structure.targets, len(structure.classes[0])
    (16, ['sum_of_16_digits'], 145)
    """

    def __init__(self, n_terms):
        self.n_terms = _check_count(n_terms, "n_terms", "DigitSum")
        self.n_images = self.n_terms
        self.targets = [_digit_sum_target(self.n_terms)]
        self.classes = [np.arange(9 * self.n_terms + 1)]

    def _parameters(self):
        return (("n_terms", self.n_terms),)

    def results(self, digits):
        """The sum of each row's digits.

        Parameters
        ----------
        digits : array-like of shape (n_rows, n_terms)

        Returns
        -------
        results : ndarray of shape (n_rows, 1)
        """
        return _check_digits(digits, self).sum(axis=1, keepdims=True)

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
