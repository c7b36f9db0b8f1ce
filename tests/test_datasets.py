import numpy as np
import pandas as pd
import pytest

from sklarith.datasets import (
    PAIR_TARGETS,
    SEED_TARGETS,
    fetch_mnist,
    load_digit_images,
    make_arithmetic_pairs,
    make_number_addition,
)
from sklarith.datasets._mnist import mnist_raw_folder


def test_load_digit_images_scales_pixels_to_unit_interval():
    digits = load_digit_images()
    assert digits.data.dtype == np.float32
    assert digits.data.min() == 0.0
    assert digits.data.max() == 1.0
    assert digits.images.shape == (1797, 8, 8)
    assert digits.image_shape == (8, 8)


def test_load_digit_images_return_X_y():
    X, y = load_digit_images(return_X_y=True)
    assert X.shape == (1797, 64)
    assert y.dtype == np.int64
    assert set(np.unique(y)) == set(range(10))


def test_make_arithmetic_pairs_default_targets_are_the_seed_outputs():
    images = np.arange(10, dtype=np.float32).reshape(10, 1) * np.ones((10, 4))
    X, Y = make_arithmetic_pairs(images, np.arange(10), n_pairs=50, random_state=0)
    assert X.shape == (50, 8)
    assert list(Y.columns) == list(SEED_TARGETS)


def test_make_arithmetic_pairs_results_match_the_digits_of_the_images():
    labels = np.arange(10)
    images = labels[:, None].astype(np.float32).repeat(3, axis=1)
    X, Y, indices = make_arithmetic_pairs(
        images,
        labels,
        n_pairs=500,
        targets=list(PAIR_TARGETS),
        random_state=0,
        return_indices=True,
    )
    a, b = X[:, 0].astype(int), X[:, 3].astype(int)
    np.testing.assert_array_equal(labels[indices[:, 0]], a)
    np.testing.assert_array_equal(Y["sum"], a + b)
    np.testing.assert_array_equal(Y["sum_units"] + 10 * Y["sum_tens"], a + b)
    np.testing.assert_array_equal(Y["product"], a * b)
    np.testing.assert_array_equal(Y["product_units"] + 10 * Y["product_tens"], a * b)
    np.testing.assert_array_equal(Y["greater"], (a > b).astype(int))


def test_make_arithmetic_pairs_single_target_gives_a_series():
    _, y = make_arithmetic_pairs(
        np.eye(10), np.arange(10), n_pairs=20, targets="sum", random_state=0
    )
    assert isinstance(y, pd.Series)
    assert y.name == "sum"
    assert y.shape == (20,)


def test_make_arithmetic_pairs_draws_only_from_the_images_given():
    images = np.arange(5, dtype=np.float32)[:, None]
    X, _ = make_arithmetic_pairs(images, np.arange(5), n_pairs=300, random_state=0)
    assert set(np.unique(X)) <= set(range(5))


def test_make_arithmetic_pairs_is_reproducible_with_random_state():
    first = make_arithmetic_pairs(np.eye(10), np.arange(10), n_pairs=30, random_state=3)
    second = make_arithmetic_pairs(
        np.eye(10), np.arange(10), n_pairs=30, random_state=3
    )
    np.testing.assert_array_equal(first[0], second[0])
    pd.testing.assert_frame_equal(first[1], second[1])


def test_make_arithmetic_pairs_accepts_images_as_a_3d_array():
    images = np.zeros((10, 8, 8), dtype=np.float32)
    X, _ = make_arithmetic_pairs(images, np.arange(10), n_pairs=4, random_state=0)
    assert X.shape == (4, 128)


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        (np.arange(9), "different lengths"),
        (np.arange(10) + 1, "digits between 0 and 9"),
        (np.linspace(0, 9, 10) + 0.5, "whole numbers"),
    ],
)
def test_make_arithmetic_pairs_rejects_bad_labels(labels, message):
    with pytest.raises(ValueError, match=message):
        make_arithmetic_pairs(np.eye(10), labels, n_pairs=5)


def test_make_arithmetic_pairs_rejects_unknown_targets():
    with pytest.raises(ValueError, match=r"Unknown targets.*quotient"):
        make_arithmetic_pairs(np.eye(10), np.arange(10), n_pairs=5, targets="quotient")


def test_fetch_mnist_offline_without_files_names_the_folder(tmp_path):
    with pytest.raises(OSError, match=r"MNIST files not found in .*MNIST/raw"):
        fetch_mnist(data_home=tmp_path, download_if_missing=False)


def test_fetch_mnist_failed_download_says_where_to_put_the_files(tmp_path, monkeypatch):
    from torchvision.datasets import MNIST

    def fail(self):
        raise RuntimeError("Error downloading train-images-idx3-ubyte.gz")

    monkeypatch.setattr(MNIST, "download", fail)
    with pytest.raises(OSError, match="Could not download MNIST into") as error:
        fetch_mnist(data_home=tmp_path)
    assert str(mnist_raw_folder(tmp_path)) in str(error.value)
    assert "t10k-images-idx3-ubyte" in str(error.value)


@pytest.fixture(scope="module")
def mnist_test():
    if not (mnist_raw_folder() / "t10k-images-idx3-ubyte").exists():
        pytest.skip("MNIST is not in the data home (set SCIKIT_LEARN_DATA)")
    return fetch_mnist(subset="test", download_if_missing=False)


def test_fetch_mnist_reads_the_test_images_from_the_data_home(mnist_test):
    assert mnist_test.data.shape == (10_000, 784)
    assert mnist_test.data.dtype == np.float32
    assert 0.0 <= mnist_test.data.min() < mnist_test.data.max() <= 1.0
    assert mnist_test.images.shape == (10_000, 28, 28)
    np.testing.assert_array_equal(mnist_test.target[:5], [7, 2, 1, 0, 4])


def test_make_number_addition_uses_each_image_once_by_default():
    images = np.arange(40, dtype=np.float32)[:, None]
    labels = np.arange(40) % 10
    X, Y, indices = make_number_addition(
        images, labels, n_digits=2, random_state=0, return_indices=True
    )
    assert X.shape == (10, 4)
    assert sorted(indices.ravel()) == list(range(40))
    assert list(Y.columns) == ["sum_digit_2", "sum_digit_1", "sum_digit_0"]


def test_make_number_addition_labels_rows_with_the_digits_of_the_sum():
    labels = np.arange(10)
    images = labels[:, None].astype(np.float32)
    X, Y = make_number_addition(
        images, labels, n_digits=3, n_samples=200, random_state=0
    )
    digits = X.astype(int)
    first = digits[:, 0] * 100 + digits[:, 1] * 10 + digits[:, 2]
    second = digits[:, 3] * 100 + digits[:, 4] * 10 + digits[:, 5]
    total = Y["sum_digit_3"] * 1000 + Y["sum_digit_2"] * 100 + Y["sum_digit_1"] * 10
    np.testing.assert_array_equal(total + Y["sum_digit_0"], first + second)


def test_make_number_addition_needs_enough_images_to_use_each_once():
    with pytest.raises(ValueError, match="at least 8 images"):
        make_number_addition(np.eye(5), np.arange(5), n_digits=4)
