import numpy as np
import pytest

from sklarith.datasets import make_arithmetic_pairs
from sklarith.experiments import split_digits


@pytest.fixture(scope="session")
def digits():
    """The embedded 8x8 digits, split into training and test images as the
    experiments split them."""
    images = split_digits(random_state=0)
    return (
        images.train_images,
        images.test_images,
        images.train_labels,
        images.test_labels,
    )


@pytest.fixture(scope="session")
def pairs(digits):
    """Small training and test sets of arithmetic pairs of 8x8 digits."""
    X_train, X_test, y_train, y_test = digits
    X, Y = make_arithmetic_pairs(X_train, y_train, n_pairs=6000, random_state=0)
    X_eval, Y_eval = make_arithmetic_pairs(X_test, y_test, n_pairs=200, random_state=1)
    return X, Y, X_eval, Y_eval


@pytest.fixture
def rng():
    return np.random.RandomState(0)
