"""The distinct rows of an array, found exactly.

Pair rows repeat the same images many times (a million pairs drawn from
60,000 images), so the encoders fit and encode each distinct image once.
Finding them takes two passes over the rows, one to hash them and one to
compare each with the first row of its hash, chunk by chunk and on as many
threads as torch uses.
"""

import itertools
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import torch

#: Rows of about this many bytes are handled at a time, so that each chunk
#: stays in the CPU cache between the steps that read it.
_CHUNK_BYTES = 1 << 19


def _rows_per_chunk(rows):
    return max(1, _CHUNK_BYTES // max(1, rows[:1].nbytes))


def _in_parallel(function, n_rows, chunk_size):
    """``function(start, stop)`` over contiguous blocks of ``range(n_rows)``,
    each a whole number of chunks, on ``torch.get_num_threads()`` threads;
    the results in the order of the blocks.

    NumPy releases the GIL in the loops used here, so the threads scale with
    the cores; a few blocks per thread even out their loads.
    """
    n_threads = max(1, torch.get_num_threads())
    n_chunks = -(-n_rows // chunk_size)
    n_blocks = max(1, min(n_chunks, 4 * n_threads))
    bounds = [
        min(n_rows, chunk_size * (n_chunks * i // n_blocks))
        for i in range(n_blocks + 1)
    ]
    blocks = [
        (start, stop) for start, stop in itertools.pairwise(bounds) if start < stop
    ]
    if n_threads == 1 or len(blocks) == 1:
        return [function(start, stop) for start, stop in blocks]
    with ThreadPoolExecutor(n_threads) as pool:
        return list(pool.map(lambda block: function(*block), blocks))


def _hash_rows(rows, chunk_size):
    """A 64-bit hash of the bytes of each row of a C-contiguous 2-D array.

    Each row's bytes are read as 64-bit words and summed with random odd
    weights, modulo 2**64. Integer arithmetic is exact, so equal rows always
    get equal hashes (unlike a floating-point projection, whose rounding may
    depend on the row's position), and rows that differ in a single word never
    share one.
    """
    n_rows = len(rows)
    n_bytes = rows.shape[1] * rows.itemsize
    n_words = -(-n_bytes // 8)
    weights = np.random.default_rng(0).integers(
        -(2**62), 2**62, size=n_words, dtype=np.int64
    )
    weights |= 1
    hashes = np.empty(n_rows, dtype=np.int64)
    as_bytes = rows.view(np.uint8).reshape(n_rows, n_bytes)

    def scan(start, stop):
        padded = None
        if n_bytes < 8 * n_words:
            padded = np.zeros((min(chunk_size, n_rows), 8 * n_words), dtype=np.uint8)
        for begin in range(start, stop, chunk_size):
            end = min(begin + chunk_size, stop)
            if padded is None:
                words = as_bytes[begin:end].view(np.int64)
            else:
                padded[: end - begin, :n_bytes] = as_bytes[begin:end]
                words = padded[: end - begin].view(np.int64)
            np.einsum("ij,j->i", words, weights, out=hashes[begin:end])

    _in_parallel(scan, n_rows, chunk_size)
    return hashes


def _group_equal_keys(keys):
    """``first, inverse`` such that ``keys[first][inverse]`` equals ``keys``,
    with ``first`` the index of the first occurrence of each key.

    One unstable sort rather than the two of ``np.unique(return_index=True,
    return_inverse=True)``: the first occurrence is the smallest index of a
    run of equal keys, whatever order the sort left them in.
    """
    order = np.argsort(keys)
    sorted_keys = keys[order]
    starts_group = np.empty(len(keys), dtype=bool)
    starts_group[:1] = True
    np.not_equal(sorted_keys[1:], sorted_keys[:-1], out=starts_group[1:])
    first = np.minimum.reduceat(order, np.flatnonzero(starts_group))
    inverse = np.empty(len(keys), dtype=np.intp)
    inverse[order] = np.cumsum(starts_group) - 1
    return first, inverse


def _rows_equal_their_first_occurrence(rows, first, inverse, chunk_size):
    """Whether every row has the same bytes as the first row of its hash.

    The rows are compared as 64-bit words where their width allows, chunk by
    chunk, against a compact copy of the first occurrences: one sequential
    pass over ``rows`` rather than two scattered gathers.
    """
    n_bytes = rows.shape[1] * rows.itemsize
    word = np.int64 if n_bytes % 8 == 0 else np.uint8
    words = rows.view(np.uint8).reshape(len(rows), n_bytes).view(word)
    representatives = words[first]

    def compare(start, stop):
        for begin in range(start, stop, chunk_size):
            end = min(begin + chunk_size, stop)
            chunk = representatives[inverse[begin:end]]
            if not np.array_equal(words[begin:end], chunk):
                return False
        return True

    return all(_in_parallel(compare, len(rows), chunk_size))


def value_range(rows):
    """The minimum and maximum of a 2-D array, chunk by chunk on as many
    threads as torch uses; NaN when the array holds a NaN."""
    chunk_size = _rows_per_chunk(rows)

    def block_range(start, stop):
        chunks = [
            rows[begin : begin + chunk_size] for begin in range(start, stop, chunk_size)
        ]
        # NumPy's min, unlike Python's, keeps a NaN whatever its position.
        return (
            np.min([chunk.min() for chunk in chunks]),
            np.max([chunk.max() for chunk in chunks]),
        )

    lows, highs = zip(*_in_parallel(block_range, len(rows), chunk_size), strict=True)
    return np.min(lows), np.max(highs)


def distinct_rows(array, chunk_size=None):
    """Find the distinct rows of a 2-D array.

    Rows are grouped by a 64-bit hash of their bytes; every row is then
    compared in full with the first row of its group, so that the result is
    exact. Both passes run chunk by chunk on ``torch.get_num_threads()``
    threads; the cost on a million MNIST pairs is measured by
    ``benchmarks/speed.py --only dedupe``.

    Parameters
    ----------
    array : ndarray of shape (n_rows, n_columns)
    chunk_size : int, default=None
        Rows scanned and compared at a time; by default, about 512 KiB.

    Returns
    -------
    first : ndarray of shape (n_distinct,)
        Index of the first occurrence of each distinct row, in order.
    inverse : ndarray of shape (n_rows,)
        ``array[first][inverse]`` equals ``array``.
    """
    rows = np.ascontiguousarray(array)
    if chunk_size is None:
        chunk_size = _rows_per_chunk(rows)
    keys = _hash_rows(rows, chunk_size)
    first, inverse = _group_equal_keys(keys)
    if len(first) == len(rows):
        first, inverse = np.arange(len(rows)), np.arange(len(rows))
    else:
        if not _rows_equal_their_first_occurrence(rows, first, inverse, chunk_size):
            # Different rows with the same hash: group them by their whole bytes.
            keys = rows.view(np.dtype((np.void, rows.shape[1] * rows.itemsize)))
            _, first, inverse = np.unique(
                keys.ravel(), return_index=True, return_inverse=True
            )
        order = np.argsort(first)
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        first, inverse = first[order], rank[inverse.ravel()]
    return first, inverse
