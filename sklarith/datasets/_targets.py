"""The arithmetic results the tasks are labelled with, by name.

The bottom of the library's layers: the dataset makers label rows with these
results and the arithmetic head computes them exactly, from the same
definitions.
"""

import re

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


def digit_sum_target(n_terms):
    """Column name of the sum of ``n_terms`` single digits: ``sum_of_16_digits``
    for sixteen. It states the number of digits, which the arithmetic head
    needs to know how many images a row holds."""
    return f"sum_of_{n_terms}_digits"


def digit_sum_terms(name):
    """The number of digits summed in the column called ``name``, or None when
    ``name`` is not a :func:`digit_sum_target`."""
    match = re.fullmatch(r"sum_of_([1-9][0-9]*)_digits", name)
    return None if match is None else int(match[1])
