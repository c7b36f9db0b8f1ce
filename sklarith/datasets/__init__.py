"""Data for sklarith: MNIST, the embedded 8x8 digits and arithmetic tasks."""

from ._addition import make_addition
from ._arithmetic import make_arithmetic_pairs, make_number_addition
from ._digit_sums import make_digit_sums
from ._identity_adder import make_identity_adder
from ._mnist import fetch_mnist, load_digit_images

__all__ = [
    "fetch_mnist",
    "load_digit_images",
    "make_addition",
    "make_arithmetic_pairs",
    "make_digit_sums",
    "make_identity_adder",
    "make_number_addition",
]
