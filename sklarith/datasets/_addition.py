"""Random integers and their sums, the addition task of the adder post."""

import numbers

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, validate_params


@validate_params(
    {
        "n_samples": [Interval(numbers.Integral, 1, None, closed="left")],
        "max_sum": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_operands": [Interval(numbers.Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_addition(n_samples, *, max_sum, n_operands=2, random_state=None):
    """Draw rows of random non-negative integers and label each with its sum.

    Each operand is drawn uniformly from ``0, 1, ..., max_sum // n_operands``,
    so that no sum exceeds ``max_sum`` and sums near the middle of the range
    are the most frequent, as in the adder post (sums up to 16, 256 or
    65,536 of two numbers).

    Parameters
    ----------
    n_samples : int
        Number of rows.
    max_sum : int
        Largest possible sum; at least ``n_operands``.
    n_operands : int, default=2
        Numbers per row.
    random_state : int, RandomState instance or None, default=None
        Controls the draw.

    Returns
    -------
    X : ndarray of shape (n_samples, n_operands)
        int64 operands.
    y : ndarray of shape (n_samples,)
        int64 sums of the rows of ``X``.

    See Also
    --------
    sklarith.MLPAdderRegressor : Learns these sums.

    Examples
    --------
    >>> from sklarith.datasets import make_addition
    >>> X, y = make_addition(4, max_sum=16, random_state=0)
    >>> X.shape, y.shape
    ((4, 2), (4,))
    >>> bool((X.sum(axis=1) == y).all() and (X <= 8).all())
    True
    """
    if max_sum < n_operands:
        raise ValueError(
            f"max_sum must be at least n_operands so that operands can be "
            f"non-zero; got max_sum={max_sum} and n_operands={n_operands}."
        )
    rng = check_random_state(random_state)
    X = rng.randint(0, max_sum // n_operands + 1, size=(n_samples, n_operands))
    X = X.astype(np.int64)
    return X, X.sum(axis=1)
