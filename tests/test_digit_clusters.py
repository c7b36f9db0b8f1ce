"""digit_init: the digit-reading classifier's digits start from a clustering
of the images matched to the results ("clusters", or "umap" for sums of many
digits), never from a digit label. Digit labels appear here only to check
what was learnt."""

import numpy as np
import pytest
from sklearn.mixture import GaussianMixture

from sklarith import DigitArithmeticClassifier
from sklarith._digit_clusters import _mixture_clusters, cluster_digits, umap_digits
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


@pytest.fixture(scope="module")
def sums_of_64():
    """Rows of 64 noisy copies of the ten 8x8 digits' mean images, labelled
    with their sum, and the digits of each row's images (for checking only).

    The copies of one digit lie near one another and apart from the other
    digits', as an encoder's codes of real digits mostly do; the start is to
    find them and name them from the sums.
    """
    digits = load_digit_images()
    means = np.stack([digits.data[digits.target == d].mean(axis=0) for d in range(10)])
    rng = np.random.RandomState(0)
    labels = rng.randint(10, size=3000)
    images = means[labels] + rng.normal(scale=0.3, size=(3000, 64))
    X, Y, indices = make_digit_sums(
        images, labels, n_terms=64, n_samples=300, random_state=0, return_indices=True
    )
    return X.reshape(len(X), 64, -1), _codes(Y), labels[indices]


@pytest.fixture(scope="module")
def umap_start(sums_of_64):
    """The digits that the UMAP start finds for the sums of 64, random state 0."""
    features, y, _ = sums_of_64
    return umap_digits(features, DigitSum(64), y, random_state=0)


def test_ten_clusters_of_a_umap_embedding_are_named_from_sums_of_64_digits(
    sums_of_64, umap_start
):
    _, _, true_digits = sums_of_64
    assert (umap_start == true_digits).mean() > 0.9


def test_many_small_clusters_read_fewer_digits_of_sums_of_64_than_umap(
    sums_of_64, umap_start
):
    # Why "auto" starts sums of digits from UMAP: a sum of 64 digits pins a
    # cluster's mean digit, and of forty small clusters some settle one off.
    features, y, true_digits = sums_of_64
    clusters_start = cluster_digits(features, DigitSum(64), y, random_state=0)
    assert (clusters_start == true_digits).mean() < (umap_start == true_digits).mean()


def test_the_umap_start_gives_the_same_digits_from_the_same_random_state(
    sums_of_64, umap_start
):
    features, y, _ = sums_of_64
    again = umap_digits(features, DigitSum(64), y, random_state=0)
    np.testing.assert_array_equal(again, umap_start)


def test_the_ten_clusters_are_the_most_likely_of_several_mixtures():
    # Ten blobs of points, as UMAP embeds ten digits. A mixture fitted from
    # one start merges two of them for some seeds (and splits a third), a
    # start that no naming of ten clusters by ten digits undoes.
    rng = np.random.RandomState(0)
    labels = rng.randint(10, size=2000)
    embedding = rng.normal(scale=3, size=(10, 10))[labels]
    embedding += rng.normal(scale=0.8, size=embedding.shape)

    def purity(clusters):
        return sum(np.bincount(labels[clusters == c]).max() for c in range(10)) / 2000

    seeds = range(20)
    assert (
        min(
            purity(GaussianMixture(10, random_state=seed).fit_predict(embedding))
            for seed in seeds
        )
        < 0.95
    )
    assert min(purity(_mixture_clusters(embedding, seed)) for seed in seeds) > 0.99


def test_the_umap_start_of_fewer_images_than_a_neighbourhood_is_the_clusters():
    # Six images make no UMAP graph of 20 neighbours each; they still start.
    digits = load_digit_images()
    X, Y = make_digit_sums(
        digits.data, digits.target, n_terms=2, n_samples=3, random_state=0
    )
    pixels = X.reshape(3, 2, -1)
    np.testing.assert_array_equal(
        umap_digits(pixels, DigitSum(2), _codes(Y), random_state=0),
        cluster_digits(pixels, DigitSum(2), _codes(Y), random_state=0),
    )


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


def test_the_digits_of_numbers_start_from_clusters_by_default(numbers):
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


@pytest.mark.parametrize(
    ("structure", "start"),
    [(NumberSum(2), "clusters"), (DigitSum(4), "umap")],
    ids=["numbers", "digit-sums"],
)
def test_auto_starts_sums_of_digits_from_umap_and_numbers_from_clusters(
    structure, start
):
    digits = load_digit_images()
    make = make_number_addition if isinstance(structure, NumberSum) else make_digit_sums
    length = {"n_digits": 2} if isinstance(structure, NumberSum) else {"n_terms": 4}
    X, Y = make(digits.data, digits.target, n_samples=100, random_state=0, **length)
    clf = DigitArithmeticClassifier(
        structure=structure, hidden_layer_sizes=(8,), max_epochs=1, random_state=0
    ).fit(X, Y)
    assert clf.digit_init_ == start
