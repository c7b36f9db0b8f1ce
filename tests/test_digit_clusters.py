"""digit_init="clusters" (the default): the digit-reading classifier's digits
start from a clustering of the images matched to the results, never from a
digit label. Digit labels appear here only to check what was learnt."""

import numpy as np
import pytest

from sklarith import DigitArithmeticClassifier
from sklarith._digit_clusters import cluster_digits
from sklarith.datasets import load_digit_images, make_digit_sums, make_number_addition
from sklarith.structures import DigitSum, NumberSum


@pytest.fixture(scope="module")
def numbers():
    """Rows of two 2-digit numbers of 8x8 digits, labelled with their sum, and
    the digits of each row's images (for checking only)."""
    digits = load_digit_images()
    X, Y, indices = make_number_addition(
        digits.data,
        digits.target,
        n_digits=2,
        n_samples=2000,
        random_state=0,
        return_indices=True,
    )
    return X, Y, digits.target[indices]


def _codes(Y):
    return Y.to_numpy().astype(np.int64)


def test_the_digits_of_the_clusters_are_found_from_the_sums_alone(numbers):
    X, Y, true_digits = numbers
    pixels = X.reshape(len(X), 4, -1)
    digits = cluster_digits(pixels, NumberSum(2), _codes(Y), random_state=0)
    assert digits.shape == true_digits.shape
    # Ten digits by chance would be right a tenth of the time.
    assert (digits == true_digits).mean() > 0.7


def test_the_digits_of_the_clusters_are_found_from_sums_of_many_digits_alone():
    digits = load_digit_images()
    X, Y, indices = make_digit_sums(
        digits.data,
        digits.target,
        n_terms=16,
        n_samples=500,
        random_state=0,
        return_indices=True,
    )
    pixels = X.reshape(len(X), 16, -1)
    found = cluster_digits(pixels, DigitSum(16), _codes(Y), random_state=0)
    assert (found == digits.target[indices]).mean() > 0.7


def test_the_same_random_state_gives_the_same_digits(numbers):
    X, Y, _ = numbers
    pixels = X.reshape(len(X), 4, -1)
    first, second = (
        cluster_digits(pixels, NumberSum(2), _codes(Y), random_state=3)
        for _ in range(2)
    )
    np.testing.assert_array_equal(first, second)


def _one_epoch(digit_init):
    return DigitArithmeticClassifier(
        structure=NumberSum(2),
        digit_init=digit_init,
        hidden_layer_sizes=(64,),
        max_epochs=1,
        early_stopping=False,
        random_state=0,
    )


def test_a_clustered_start_reads_digits_before_the_results_have_taught_any(numbers):
    X, Y, true_digits = numbers
    accuracy = {
        init: (_one_epoch(init).fit(X, Y).predict_digits(X) == true_digits).mean()
        for init in ("random", "clusters")
    }
    assert accuracy["random"] < 0.3
    assert accuracy["clusters"] > 0.7


def test_the_digits_start_from_clusters_by_default(numbers):
    X, Y, _ = numbers
    params = _one_epoch("clusters").get_params()
    del params["digit_init"]
    default = DigitArithmeticClassifier(**params).fit(X, Y).predict_digits(X)
    np.testing.assert_array_equal(
        default, _one_epoch("clusters").fit(X, Y).predict_digits(X)
    )


def test_the_history_holds_the_epochs_of_the_results_only(numbers):
    X, Y, _ = numbers
    assert len(_one_epoch("clusters").fit(X, Y).history_) == 1
