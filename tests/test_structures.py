"""The structures (``sklarith/structures.py``): exact arithmetic over
per-image digit distributions, against brute force, and the results of digits
the data makers label their rows with."""

import itertools

import numpy as np
import pytest
import torch

from sklarith.modules import ArithmeticLikelihood
from sklarith.structures import (
    ARITHMETIC_TARGETS,
    PAIR_TARGETS,
    DigitSum,
    NumberSum,
    PairResults,
)


def digit_distributions(n_rows, n_images, seed=0):
    generator = torch.Generator().manual_seed(seed)
    logits = torch.randn(n_rows, n_images, 10, generator=generator, dtype=torch.float64)
    return torch.log_softmax(logits, dim=-1)


def brute_force_sum_distribution(p, n_digits):
    """Probability of every sum of two n-digit numbers, by enumeration."""
    powers = 10 ** np.arange(n_digits - 1, -1, -1)
    distribution = np.zeros(2 * 10**n_digits - 1)
    for digits in itertools.product(range(10), repeat=2 * n_digits):
        probability = np.prod([p[i, d] for i, d in enumerate(digits)])
        total = np.dot(digits[:n_digits], powers) + np.dot(digits[n_digits:], powers)
        distribution[total] += probability
    return distribution


def sum_digits(total, n_digits):
    return [(total // 10**power) % 10 for power in range(n_digits, -1, -1)]


def test_number_sum_likelihood_is_the_probability_of_the_sum():
    log_p = digit_distributions(2, 4)
    structure = NumberSum(2)
    for row in range(2):
        exact = brute_force_sum_distribution(log_p[row].exp().numpy(), 2)
        totals = [0, 9, 57, 100, 109, 198]
        y = torch.tensor([sum_digits(t, 2) for t in totals])
        likelihood = structure.log_likelihood(log_p[[row] * len(totals)], y).exp()
        np.testing.assert_allclose(likelihood.numpy(), exact[totals], rtol=1e-10)


def test_number_sum_marginals_are_the_distributions_of_each_sum_digit():
    log_p = digit_distributions(1, 4)
    exact = brute_force_sum_distribution(log_p[0].exp().numpy(), 2)
    marginals = NumberSum(2).marginals(log_p.exp())
    for position, marginal in enumerate(marginals):
        expected = np.zeros(marginal.shape[1])
        for total, probability in enumerate(exact):
            expected[sum_digits(total, 2)[position]] += probability
        np.testing.assert_allclose(marginal[0].numpy(), expected, atol=1e-12)


def test_number_sum_of_fifteen_digits_does_not_underflow():
    log_p = digit_distributions(3, 30, seed=1)
    y = torch.randint(0, 10, (3, 16))
    y[:, 0] = 1
    log_likelihood = NumberSum(15).log_likelihood(log_p, y)
    assert torch.isfinite(log_likelihood).all()
    assert (log_likelihood < 0).all()


def test_pair_results_likelihood_sums_the_consistent_digit_pairs():
    log_p = digit_distributions(1, 2)
    p = log_p.exp()[0]
    structure = PairResults(["sum"])
    likelihood = structure.log_likelihood(log_p, torch.tensor([[9]])).exp()
    expected = sum(p[0, a] * p[1, 9 - a] for a in range(10))
    assert float(likelihood) == pytest.approx(float(expected))


def test_the_five_results_of_the_arithmetic_experiment_identify_the_ordered_pair():
    log_p = digit_distributions(1, 2)
    structure = PairResults(ARITHMETIC_TARGETS)
    # 7 + 5 = 12, 7 x 5 = 35, 7 > 5: only (7, 5) gives these five results
    y = torch.tensor([[2, 1, 5, 3, 1]])
    likelihood = structure.log_likelihood(log_p, y).exp()
    expected = (log_p[0, 0, 7] + log_p[0, 1, 5]).exp()
    assert float(likelihood) == pytest.approx(float(expected))


def test_pair_results_likelihood_under_cluster_tables_is_that_of_each_image():
    generator = torch.Generator().manual_seed(0)
    log_tables = torch.log_softmax(torch.randn(3, 5, 10, generator=generator), dim=-1)
    clusters = torch.randint(0, 5, (20, 2), generator=generator)
    structure = PairResults()
    digits = torch.randint(0, 10, (20, 2), generator=generator)
    y = torch.as_tensor(structure.encode(structure.results(digits.numpy())))
    log_digits = log_tables[:, clusters].flatten(0, 1)
    expected = structure.log_likelihood(log_digits, y.repeat(3, 1)).view(3, 20)
    torch.testing.assert_close(
        structure.table_log_likelihood(log_tables, clusters, y), expected
    )


@pytest.mark.parametrize("n_digits", [1, 2, 5, 40])
def test_number_sum_likelihood_under_cluster_tables_is_that_of_each_image(n_digits):
    generator = torch.Generator().manual_seed(n_digits)
    log_tables = torch.log_softmax(torch.randn(3, 5, 10, generator=generator), dim=-1)
    clusters = torch.randint(0, 5, (20, 2 * n_digits), generator=generator)
    structure = NumberSum(n_digits)
    digits = torch.randint(0, 10, (20, 2 * n_digits), generator=generator)
    y = torch.as_tensor(structure.encode(structure.results(digits.numpy())))
    log_digits = log_tables[:, clusters].flatten(0, 1)
    expected = structure.log_likelihood(log_digits, y.repeat(3, 1)).view(3, 20)
    torch.testing.assert_close(
        structure.table_log_likelihood(log_tables, clusters, y),
        expected,
        rtol=1e-5,
        atol=1e-4,
    )


def test_number_sum_table_gradient_is_that_of_each_image():
    """The cluster start fits the tables by gradient: the fast path must give
    the image-by-image gradient too."""
    generator = torch.Generator().manual_seed(0)
    tables = torch.randn(2, 4, 10, generator=generator, requires_grad=True)
    clusters = torch.randint(0, 4, (30, 14), generator=generator)
    structure = NumberSum(7)
    digits = torch.randint(0, 10, (30, 14), generator=generator)
    y = torch.as_tensor(structure.encode(structure.results(digits.numpy())))
    log_tables = torch.log_softmax(tables, dim=-1)
    fast = structure.table_log_likelihood(log_tables, clusters, y).sum()
    (fast_gradient,) = torch.autograd.grad(fast, tables)
    log_digits = torch.log_softmax(tables, dim=-1)[:, clusters].flatten(0, 1)
    slow = structure.log_likelihood(log_digits, y.repeat(2, 1)).sum()
    (slow_gradient,) = torch.autograd.grad(slow, tables)
    torch.testing.assert_close(fast_gradient, slow_gradient, rtol=1e-4, atol=1e-4)


def test_pair_results_marginals_are_distributions():
    p = digit_distributions(4, 2).exp()
    for marginal in PairResults(ARITHMETIC_TARGETS).marginals(p):
        np.testing.assert_allclose(marginal.sum(dim=1).numpy(), 1, rtol=1e-12)


def test_likelihood_loss_is_the_mean_negative_log_likelihood():
    log_p = digit_distributions(3, 2)
    criterion = ArithmeticLikelihood(PairResults(["sum"]))
    y = torch.tensor([[3], [9], [18]])
    expected = -PairResults(["sum"]).log_likelihood(log_p, y).mean()
    torch.testing.assert_close(criterion(log_p.flatten(1), y), expected)


def test_number_sum_results_are_the_digits_of_the_sum():
    digits = [[9, 9, 0, 1], [1, 2, 3, 4]]
    np.testing.assert_array_equal(NumberSum(2).results(digits), [[1, 0, 0], [0, 4, 6]])


def test_number_sum_results_of_twenty_digits_do_not_overflow():
    digits = np.full((1, 40), 9)
    assert NumberSum(20).results(digits).tolist() == [[1] + [9] * 19 + [8]]


def test_pair_results_results_are_those_of_pair_targets():
    digits = np.array([[7, 5], [3, 3]])
    expected = np.stack(
        [PAIR_TARGETS[name](digits[:, 0], digits[:, 1]) for name in ARITHMETIC_TARGETS],
        axis=1,
    )
    np.testing.assert_array_equal(PairResults().results(digits), expected)


def test_digit_sum_results_are_the_sums_of_the_rows():
    assert DigitSum(3).results([[1, 2, 3], [9, 9, 9]]).tolist() == [[6], [27]]


def test_results_need_rows_of_the_structures_images():
    with pytest.raises(ValueError, match=r"rows of 4 digits; got digits of shape"):
        NumberSum(2).results(np.zeros((3, 3), dtype=int))


def test_each_structure_names_the_columns_of_its_data_maker():
    assert PairResults().targets == list(ARITHMETIC_TARGETS)
    assert NumberSum(2).targets == ["sum_digit_2", "sum_digit_1", "sum_digit_0"]
    assert DigitSum(16).targets == ["sum_of_16_digits"]


def test_structures_are_equal_by_their_parameters():
    assert NumberSum(2) == NumberSum(2) != NumberSum(3)
    assert PairResults(["sum"]) == PairResults("sum") != DigitSum(2)
    assert len({DigitSum(4), DigitSum(4)}) == 1
    assert repr(PairResults(["sum"])) == "PairResults(targets=['sum'])"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: PairResults(["difference"]), "named in PAIR_TARGETS"),
        (lambda: PairResults([]), "named in PAIR_TARGETS"),
        (lambda: NumberSum(0), "n_digits as a whole number of at least 1"),
        (lambda: DigitSum(2.5), "n_terms as a whole number of at least 1"),
    ],
)
def test_structures_refuse_parameters_they_cannot_compute(make, message):
    with pytest.raises(ValueError, match=message):
        make()
