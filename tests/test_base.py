"""The shared plumbing: device choice, seeding and the sliced batch data path."""

import numpy as np
import pytest
import torch

from sklarith._base import (
    BatchIterator,
    InMemoryDataset,
    check_image_shape,
    count_images_per_row,
    resolve_device,
    torch_seed,
)


def test_auto_device_is_cuda_when_available(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert resolve_device("auto") == "cuda"


def test_auto_device_is_cpu_without_cuda(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert resolve_device("auto") == "cpu"


def test_explicit_devices_are_kept():
    assert resolve_device("cpu") == "cpu"
    assert resolve_device(torch.device("cpu")) == "cpu"


def test_torch_seed_follows_random_state():
    assert torch_seed(0) == torch_seed(0)
    assert torch_seed(0) != torch_seed(1)
    assert torch_seed(np.random.RandomState(3)) == torch_seed(3)


def test_batches_are_slices_in_order_without_shuffling():
    X = torch.arange(10.0).reshape(10, 1)
    batches = list(BatchIterator(InMemoryDataset(X, X * 2), batch_size=4))
    assert [len(x) for x, _ in batches] == [4, 4, 2]
    torch.testing.assert_close(torch.cat([x for x, _ in batches]), X)
    torch.testing.assert_close(torch.cat([y for _, y in batches]), X * 2)


def test_shuffled_batches_cover_every_row_once_per_epoch():
    X = torch.arange(100.0).reshape(100, 1)
    iterator = BatchIterator(InMemoryDataset(X, X), batch_size=32, shuffle=True)
    first = torch.cat([x for x, _ in iterator]).ravel()
    second = torch.cat([x for x, _ in iterator]).ravel()
    assert sorted(first.tolist()) == list(range(100))
    assert not torch.equal(first, second)


def test_a_subset_is_served_by_its_indices():
    X = torch.arange(10.0).reshape(10, 1)
    subset = torch.utils.data.Subset(InMemoryDataset(X, X), [7, 2, 5])
    (x, y), *_ = BatchIterator(subset, batch_size=8)
    assert x.ravel().tolist() == [7.0, 2.0, 5.0]
    assert y.ravel().tolist() == [7.0, 2.0, 5.0]


def test_an_iterator_knows_its_number_of_batches():
    X = torch.zeros(10, 1)
    assert len(BatchIterator(InMemoryDataset(X), batch_size=4)) == 3


def test_a_row_must_hold_whole_images():
    assert count_images_per_row(128, (8, 8), "Encoder") == 2
    with pytest.raises(ValueError, match="whole number of 8x8 images"):
        count_images_per_row(100, (8, 8), "Encoder")


def test_image_shape_must_be_two_positive_integers():
    assert check_image_shape([28, 28]) == (28, 28)
    with pytest.raises(ValueError, match="pair of positive integers"):
        check_image_shape((28, 0))
