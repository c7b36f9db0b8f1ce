"""Finding distinct rows (``sklarith/utils/_distinct.py``): exact, in
first-occurrence order, on any number of threads; and the range of values.
What the encoders build on them is in ``test_encoders.py``."""

import numpy as np
import pytest
import torch

from sklarith.utils._distinct import distinct_rows, value_range


def test_distinct_rows_maps_every_row_to_its_first_occurrence():
    rng = np.random.RandomState(0)
    base = rng.rand(30, 12).astype(np.float32)
    rows = base[rng.randint(30, size=500)]
    rows[7, 3] = np.nextafter(rows[7, 3], np.float32(2))
    first, inverse = distinct_rows(rows)
    np.testing.assert_array_equal(rows[first][inverse], rows)
    assert len(first) == len(np.unique(rows, axis=0))
    assert np.all(np.diff(first) > 0)


def test_distinct_rows_separates_rows_whose_hashes_collide():
    # Flipping the sign of the upper float32 of two 64-bit words changes
    # both words by 2**63, which the hash weights cancel modulo 2**64.
    rows = np.array([[1, 2, 3, 4], [1, -2, 3, -4], [1, 2, 3, 4]], dtype=np.float32)
    first, inverse = distinct_rows(rows)
    np.testing.assert_array_equal(first, [0, 1])
    np.testing.assert_array_equal(inverse, [0, 1, 0])


def test_distinct_rows_of_rows_not_a_whole_number_of_words(rng):
    base = rng.rand(20, 3).astype(np.float32)
    rows = base[rng.randint(20, size=300)]
    first, inverse = distinct_rows(rows, chunk_size=64)
    np.testing.assert_array_equal(rows[first][inverse], rows)
    assert len(first) == len(np.unique(rows, axis=0))


def test_all_distinct_rows_map_to_themselves(rng):
    rows = rng.rand(50, 6).astype(np.float32)
    first, inverse = distinct_rows(rows)
    np.testing.assert_array_equal(first, np.arange(50))
    np.testing.assert_array_equal(inverse, np.arange(50))


@pytest.mark.parametrize("nan_row", [0, 1000, 1999])
def test_value_range_is_the_minimum_and_maximum_and_keeps_a_nan(rng, nan_row):
    # Rows of an MNIST image: the 2,000 rows span a dozen chunks.
    rows = rng.rand(2000, 784).astype(np.float32)
    assert value_range(rows) == (rows.min(), rows.max())
    rows[nan_row, 2] = np.nan
    assert all(np.isnan(value_range(rows)))


@pytest.mark.parametrize("n_threads", [1, 3])
def test_the_result_does_not_depend_on_the_number_of_threads(rng, n_threads):
    base = rng.rand(25, 8).astype(np.float32)
    rows = base[rng.randint(25, size=1000)]
    expected = distinct_rows(rows, chunk_size=16)
    previous = torch.get_num_threads()
    torch.set_num_threads(n_threads)
    try:
        result = distinct_rows(rows, chunk_size=16)
    finally:
        torch.set_num_threads(previous)
    for got, want in zip(result, expected, strict=True):
        np.testing.assert_array_equal(got, want)
