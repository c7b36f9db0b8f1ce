"""The in-memory data path: whole tensors, sliced batch by batch."""

import math
import warnings

import numpy as np
import torch

from ..modules._random import generator

#: Training data move onto a CUDA device once, at the start of a fit, when
#: they take at most this share of its free memory; otherwise each batch is
#: pinned and copied as it is served.
_DEVICE_MEMORY_SHARE = 0.5


def to_tensor(array, dtype=torch.float32):
    """A tensor sharing memory with ``array`` whenever the dtype allows it.

    Training and inference never write into their inputs, so a read-only
    array (joblib's memory maps, a pandas DataFrame's under copy-on-write) is
    shared as it is, without torch's warning that it is not writable.
    """
    numpy_dtype = torch.empty((), dtype=dtype).numpy().dtype
    array = np.ascontiguousarray(array, dtype=numpy_dtype)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "The given NumPy array is not writable")
        return torch.from_numpy(array)


def to_cuda(tensor, device):
    """``tensor`` on the CUDA ``device``, copied from pinned memory without
    blocking when it is on the CPU."""
    if tensor.device.type == "cuda":
        return tensor
    return tensor.pin_memory().to(device, non_blocking=True)


def is_cuda(device):
    """Whether ``device`` (a string or a ``torch.device``) is a CUDA device."""
    return torch.device(device).type == "cuda"


class InMemoryDataset(torch.utils.data.Dataset):
    """Whole tensors served by slices, never sample by sample.

    skorch's default :class:`skorch.dataset.Dataset` with a ``DataLoader``
    collates one sample at a time, which makes training of a small model
    markedly slower (``benchmarks/speed.py`` measures it).
    :class:`BatchIterator` slices this dataset instead. ``y`` may be the same
    tensor as ``X`` (an autoencoder) or ``None``.
    """

    def __init__(self, X, y=None):
        self.X = X
        self.y = y

    def __len__(self):
        return len(self.X)

    def __getitem__(self, index):
        return self.X[index], None if self.y is None else self.y[index]


def _fits_on_device(n_bytes, device):
    free, _ = torch.cuda.mem_get_info(torch.device(device))
    return n_bytes <= _DEVICE_MEMORY_SHARE * free


class BatchIterator:
    """Iterate over an :class:`InMemoryDataset` (or a ``Subset`` of one, as made
    by skorch's ``ValidSplit``) in batches, by slicing its tensors.

    When ``shuffle`` is true, one permutation is drawn per epoch from the
    CPU generator of the fit running in this thread, which
    :func:`~sklarith._torch.fit_net` seeds. On a
    CUDA ``device`` the rows are copied onto the device once, when they take
    at most half of its free memory, and sliced there; otherwise each batch
    is pinned and copied without blocking.
    """

    def __init__(self, dataset, batch_size, shuffle=False, device="cpu"):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.device = device
        self._on_device = None

    def __len__(self):
        return math.ceil(len(self.dataset) / self.batch_size)

    def _source(self):
        """The :class:`InMemoryDataset` behind this iterator, and the indices
        of the rows it serves (``None``: all of them)."""
        if isinstance(self.dataset, torch.utils.data.Subset):
            return self.dataset.dataset, torch.as_tensor(self.dataset.indices)
        return self.dataset, None

    def _rows_on_device(self):
        """``(X, y)`` of this iterator's rows on the CUDA device, or ``None``
        when they would take too much of its memory; decided once."""
        if self._on_device is None:
            dataset, rows = self._source()
            rows = slice(None) if rows is None else rows
            X, y = dataset.X, dataset.y
            n_bytes = len(self.dataset) * X[:1].nbytes
            if y is not None and y is not X:
                n_bytes += len(self.dataset) * y[:1].nbytes
            self._on_device = False
            if _fits_on_device(n_bytes, self.device):
                X_device = X[rows].to(self.device)
                y_device = None if y is None else y[rows].to(self.device)
                # An autoencoder's target is its input: one copy serves both.
                self._on_device = (X_device, X_device if y is X else y_device)
        return self._on_device or None

    def __iter__(self):
        dataset, indices = self._source()
        X, y = dataset.X, dataset.y
        to_device = is_cuda(self.device)
        on_device = self._rows_on_device() if to_device else None
        if on_device is not None:
            (X, y), indices = on_device, None
        n_samples = len(self.dataset)
        # The permutation is drawn on the CPU, so that a seed gives the same
        # batches on every device.
        order = None
        if self.shuffle:
            order = torch.randperm(n_samples, generator=generator("cpu")).to(X.device)
        for start in range(0, n_samples, self.batch_size):
            stop = min(start + self.batch_size, n_samples)
            rows = slice(start, stop) if order is None else order[start:stop]
            if indices is not None:
                rows = indices[rows]
            X_batch = X[rows]
            y_batch = None if y is None else y[rows]
            if to_device:
                X_batch = to_cuda(X_batch, self.device)
                y_batch = None if y_batch is None else to_cuda(y_batch, self.device)
            yield X_batch, y_batch
