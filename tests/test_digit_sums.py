"""The sum of a row of single digits (``make_digit_sums``, ``DigitSum``):
exact probabilities against brute force, the data set maker, and the
arithmetic head trained on it."""

import itertools
import warnings

import numpy as np
import pytest
import torch

from sklarith import DigitArithmeticClassifier, PCAEncoder
from sklarith.datasets import load_digit_images, make_digit_sums
from sklarith.modules import ArithmeticLikelihood
from sklarith.structures import DigitSum


def digit_distributions(n_rows, n_terms, seed=0, dtype=torch.float64, spread=1.0):
    generator = torch.Generator().manual_seed(seed)
    logits = spread * torch.randn(n_rows, n_terms, 10, generator=generator)
    return torch.log_softmax(logits.to(dtype), dim=-1)


def brute_force_sum_distribution(p):
    """Probability of every sum of the digits of one row, by enumeration."""
    n_terms = len(p)
    distribution = np.zeros(9 * n_terms + 1)
    for digits in itertools.product(range(10), repeat=n_terms):
        distribution[sum(digits)] += np.prod([p[i, d] for i, d in enumerate(digits)])
    return distribution


# DigitSum: the distribution of the sum, exactly


@pytest.mark.parametrize("n_terms", [1, 2, 3])
def test_marginals_are_the_brute_force_distribution_of_the_sum(n_terms):
    log_p = digit_distributions(3, n_terms, seed=n_terms)
    (marginal,) = DigitSum(n_terms).marginals(log_p.exp())
    for row in range(3):
        exact = brute_force_sum_distribution(log_p[row].exp().numpy())
        np.testing.assert_allclose(marginal[row].numpy(), exact, rtol=1e-10)


@pytest.mark.parametrize("n_terms", [1, 2, 3])
def test_log_likelihood_is_the_log_of_the_brute_force_probability(n_terms):
    log_p = digit_distributions(1, n_terms, seed=n_terms)
    exact = brute_force_sum_distribution(log_p[0].exp().numpy())
    sums = torch.arange(9 * n_terms + 1)
    y = sums[:, None]
    log_likelihood = DigitSum(n_terms).log_likelihood(
        log_p.expand(len(sums), -1, -1), y
    )
    np.testing.assert_allclose(log_likelihood.numpy(), np.log(exact), rtol=1e-10)


@pytest.mark.parametrize("n_terms", [1, 2, 3, 4])
def test_the_likelihood_under_cluster_tables_is_that_of_each_image_digit(n_terms):
    # From the clusters' counts and characteristic functions, as the images'
    # digit distributions convolved one term at a time give it.
    generator = torch.Generator().manual_seed(n_terms)
    log_tables = torch.log_softmax(
        torch.randn(3, 5, 10, generator=generator, dtype=torch.float64), dim=-1
    )
    clusters = torch.randint(0, 5, (20, n_terms), generator=generator)
    y = torch.randint(0, 9 * n_terms + 1, (20, 1), generator=generator)
    structure = DigitSum(n_terms)
    log_digits = log_tables[:, clusters].flatten(0, 1)
    expected = structure.log_likelihood(log_digits, y.repeat(3, 1)).view(3, 20)
    torch.testing.assert_close(
        structure.table_log_likelihood(log_tables, clusters, y), expected
    )


def test_marginals_are_distributions():
    p = digit_distributions(5, 7, dtype=torch.float32).exp()
    (marginal,) = DigitSum(7).marginals(p)
    assert marginal.shape == (5, 64)
    assert (marginal >= 0).all()
    np.testing.assert_allclose(marginal.sum(dim=1).numpy(), 1, rtol=1e-5)


def test_sixty_four_confident_digits_stay_finite_in_float32():
    # Confident digit distributions put the sums far from the likely ones
    # below float32's smallest number; they must keep finite log-probabilities.
    log_p = digit_distributions(4, 64, seed=1, dtype=torch.float32, spread=10.0)
    log_p.requires_grad_()
    structure = DigitSum(64)
    y = torch.tensor([[0], [100], [288], [576]])
    log_likelihood = structure.log_likelihood(log_p, y)
    log_likelihood.sum().backward()
    assert torch.isfinite(log_likelihood).all()
    assert (log_likelihood < 0).all()
    assert torch.isfinite(log_p.grad).all()
    (marginal,) = structure.marginals(log_p.detach().exp())
    assert torch.isfinite(marginal).all()
    np.testing.assert_allclose(marginal.sum(dim=1).numpy(), 1, rtol=1e-4)


def test_certain_digits_give_their_sum_with_certainty():
    digits = torch.tensor([[3, 9, 0, 7], [9, 9, 9, 9]])
    p = torch.nn.functional.one_hot(digits, 10).float()
    (marginal,) = DigitSum(4).marginals(p)
    np.testing.assert_array_equal(marginal.argmax(dim=1).numpy(), [19, 36])
    np.testing.assert_allclose(marginal.max(dim=1).values.numpy(), 1)


def test_likelihood_loss_is_the_mean_negative_log_likelihood_of_the_sums():
    log_p = digit_distributions(3, 4)
    y = torch.tensor([[0], [17], [36]])
    criterion = ArithmeticLikelihood(DigitSum(4))
    expected = -DigitSum(4).log_likelihood(log_p, y).mean()
    torch.testing.assert_close(criterion(log_p.flatten(1), y), expected)


# make_digit_sums


@pytest.fixture(scope="module")
def digits():
    return load_digit_images()


def test_each_image_is_used_once_by_default(digits):
    X, Y, indices = make_digit_sums(
        digits.data, digits.target, n_terms=4, random_state=0, return_indices=True
    )
    n_rows = len(digits.data) // 4
    assert X.shape == (n_rows, 4 * 64)
    assert Y.shape == (n_rows, 1)
    assert indices.shape == (n_rows, 4)
    assert len(np.unique(indices)) == indices.size


def test_rows_hold_the_images_and_are_labelled_with_the_sum(digits):
    X, Y, indices = make_digit_sums(
        digits.data,
        digits.target,
        n_terms=3,
        n_samples=50,
        random_state=0,
        return_indices=True,
    )
    assert list(Y.columns) == ["sum_of_3_digits"]
    np.testing.assert_array_equal(X.reshape(50, 3, 64), digits.data[indices])
    np.testing.assert_array_equal(
        Y["sum_of_3_digits"], digits.target[indices].sum(axis=1)
    )


def test_the_draw_is_reproducible(digits):
    first = make_digit_sums(digits.data, digits.target, n_terms=5, random_state=3)
    second = make_digit_sums(digits.data, digits.target, n_terms=5, random_state=3)
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])


def test_using_each_image_once_needs_a_row_of_images():
    with pytest.raises(ValueError, match="at least 6 images"):
        make_digit_sums(np.eye(5), np.arange(5), n_terms=6)


# the digit-reading classifier on sums of digits


# Two epochs end with the loss still falling, which is not what this tests.
def test_the_digit_reader_predicts_sums_of_digit_images(digits):
    X, Y = make_digit_sums(
        digits.data, digits.target, n_terms=3, n_samples=300, random_state=0
    )
    clf = DigitArithmeticClassifier(
        structure=DigitSum(3),
        encoder=PCAEncoder(n_components=16, image_shape=(8, 8)),
        hidden_layer_sizes=(32,),
        augment=False,
        early_stopping=False,
        max_epochs=2,
        random_state=0,
    )
    clf.fit(X, Y)
    np.testing.assert_array_equal(clf.classes_[0], np.arange(28))
    predicted = clf.predict(X[:20])
    assert predicted.shape == (20, 1)
    assert np.isin(predicted, np.arange(28)).all()
    (proba,) = clf.predict_proba(X[:20])
    assert proba.shape == (20, 28)


def test_few_rows_of_long_sums_are_classes_without_a_warning(digits):
    # 40 rows of sums of 64 digits take up to 577 values: more classes than
    # rows is what long sums are, not a sign of a regression target.
    X, Y = make_digit_sums(
        digits.data, digits.target, n_terms=64, n_samples=40, random_state=0
    )
    clf = DigitArithmeticClassifier(
        structure=DigitSum(64),
        digit_init="random",
        hidden_layer_sizes=(8,),
        early_stopping=False,
        max_epochs=1,
        random_state=0,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clf.fit(X, Y)
    assert not [w for w in caught if "classes" in str(w.message)]
