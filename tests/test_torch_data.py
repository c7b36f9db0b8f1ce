"""The in-memory data path skorch trains on (``sklarith/_torch/data.py``):
whole tensors sliced batch by batch, and on CUDA one copy on the device when
the rows fit."""

import pytest
import torch

from sklarith._torch import data
from sklarith._torch.data import BatchIterator, InMemoryDataset


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


@pytest.fixture
def simulated_cuda(monkeypatch):
    """Make the iterator take its CUDA path on the CPU: copies onto the
    "device" are CPU copies, and per-batch copies are counted."""
    per_batch_copies = []

    def count_copy(tensor, device):
        per_batch_copies.append(len(tensor))
        return tensor

    monkeypatch.setattr(data, "is_cuda", lambda device: True)
    monkeypatch.setattr(data, "to_cuda", count_copy)
    return per_batch_copies


def test_on_cuda_rows_that_fit_move_to_the_device_once(simulated_cuda, monkeypatch):
    monkeypatch.setattr(data, "_fits_on_device", lambda n_bytes, device: True)
    X = torch.arange(10.0).reshape(10, 1)
    subset = torch.utils.data.Subset(InMemoryDataset(X, X * 2), [7, 2, 5, 9])
    iterator = BatchIterator(subset, batch_size=3, shuffle=True)
    epochs = [torch.cat([x for x, _ in iterator]).ravel() for _ in range(2)]
    on_device = iterator._rows_on_device()
    assert iterator._rows_on_device() is on_device
    assert on_device[0].ravel().tolist() == [7.0, 2.0, 5.0, 9.0]
    assert on_device[1].ravel().tolist() == [14.0, 4.0, 10.0, 18.0]
    assert all(sorted(epoch.tolist()) == [2.0, 5.0, 7.0, 9.0] for epoch in epochs)
    # Batches are sliced from the device copy, not from the dataset.
    on_device[0].zero_()
    assert torch.cat([x for x, _ in iterator]).ravel().tolist() == [0.0] * 4
    assert simulated_cuda == [3, 3, 1, 1] * 3


def test_on_cuda_rows_that_do_not_fit_are_copied_batch_by_batch(
    simulated_cuda, monkeypatch
):
    monkeypatch.setattr(data, "_fits_on_device", lambda n_bytes, device: False)
    X = torch.arange(10.0).reshape(10, 1)
    batches = list(BatchIterator(InMemoryDataset(X, X * 2), batch_size=4))
    torch.testing.assert_close(torch.cat([x for x, _ in batches]), X)
    assert simulated_cuda == [4, 4, 4, 4, 2, 2]


def test_an_autoencoder_target_shares_the_device_copy_of_its_input(
    simulated_cuda, monkeypatch
):
    monkeypatch.setattr(data, "_fits_on_device", lambda n_bytes, device: True)
    X = torch.arange(10.0).reshape(5, 2)
    X_device, y_device = BatchIterator(InMemoryDataset(X, X), 2)._rows_on_device()
    assert y_device is X_device


def test_rows_fit_on_the_device_up_to_half_its_free_memory(monkeypatch):
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device: (1000, 4000))
    assert data._fits_on_device(500, "cuda")
    assert not data._fits_on_device(501, "cuda")


def test_an_iterator_knows_its_number_of_batches():
    X = torch.zeros(10, 1)
    assert len(BatchIterator(InMemoryDataset(X), batch_size=4)) == 3
