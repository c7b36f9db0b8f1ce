import numpy as np
import pytest
from sklearn.model_selection import train_test_split

from sklarith.datasets import load_digit_images, make_arithmetic_pairs


@pytest.fixture(scope="session")
def digits():
    """The embedded 8x8 digits, split into training and test images."""
    data = load_digit_images()
    X_train, X_test, y_train, y_test = train_test_split(
        data.data, data.target, test_size=0.25, stratify=data.target, random_state=0
    )
    return X_train, X_test, y_train, y_test


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
