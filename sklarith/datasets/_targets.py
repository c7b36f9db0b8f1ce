"""The arithmetic results the tasks are labelled with, by name.

The bottom of the library's layers: the dataset makers label rows with these
results and the arithmetic head computes them exactly, from the same
definitions.
"""

import numpy as np

#: Every result :func:`~sklarith.datasets.make_arithmetic_pairs` can label a
#: pair with.
PAIR_TARGETS = {
    "sum": lambda a, b: a + b,
    "sum_units": lambda a, b: (a + b) % 10,
    "sum_tens": lambda a, b: (a + b) // 10,
    "product": lambda a, b: a * b,
    "product_units": lambda a, b: (a * b) % 10,
    "product_tens": lambda a, b: (a * b) // 10,
    "greater": lambda a, b: (a > b).astype(np.int64),
}

#: The five outputs of the arithmetic experiment, the default targets.
SEED_TARGETS = ("sum_units", "sum_tens", "product_units", "product_tens", "greater")


def number_sum_targets(n_digits):
    """Column names of the digits of a sum of two ``n_digits``-digit numbers,
    most significant first: ``sum_digit_1, sum_digit_0`` for single digits."""
    return [f"sum_digit_{power}" for power in range(n_digits, -1, -1)]
