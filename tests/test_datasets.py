import errno
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sklarith.datasets import (
    fetch_mnist,
    load_digit_images,
    make_addition,
    make_arithmetic_pairs,
    make_digit_sums,
    make_identity_adder,
    make_number_addition,
)
from sklarith.datasets._mnist import mnist_raw_folder
from sklarith.structures import ARITHMETIC_TARGETS, PAIR_TARGETS


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


def test_make_arithmetic_pairs_default_targets_are_the_arithmetic_experiments():
    images = np.arange(10, dtype=np.float32).reshape(10, 1) * np.ones((10, 4))
    X, Y = make_arithmetic_pairs(images, np.arange(10), n_pairs=50, random_state=0)
    assert X.shape == (50, 8)
    assert list(Y.columns) == list(ARITHMETIC_TARGETS)


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


#: The makers of rows of digit images, each with the arguments it needs.
IMAGE_ROW_MAKERS = {
    "make_arithmetic_pairs": lambda images, labels: make_arithmetic_pairs(
        images, labels, n_pairs=5, random_state=0
    ),
    "make_number_addition": lambda images, labels: make_number_addition(
        images, labels, random_state=0
    ),
    "make_digit_sums": lambda images, labels: make_digit_sums(
        images, labels, n_terms=2, random_state=0
    ),
}

#: Images that are not numbers, and what scikit-learn says of them.
NON_NUMERIC_IMAGES = {
    "strings": (np.full((10, 4), "0.5"), "not compatible with arrays of bytes/strings"),
    "objects": (np.full((10, 4), "dark", dtype=object), "could not convert string"),
}


@pytest.mark.parametrize("maker", list(IMAGE_ROW_MAKERS))
@pytest.mark.parametrize("kind", list(NON_NUMERIC_IMAGES))
def test_image_row_makers_refuse_images_that_are_not_numbers(maker, kind):
    images, fragment = NON_NUMERIC_IMAGES[kind]
    with pytest.raises(ValueError, match=f"images must hold numbers.*{fragment}"):
        IMAGE_ROW_MAKERS[maker](images, np.arange(10))


@pytest.mark.parametrize("maker", list(IMAGE_ROW_MAKERS))
@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_image_row_makers_keep_the_dtype_of_numeric_images(maker, dtype):
    images = np.arange(40).reshape(10, 4).astype(dtype)
    X, _ = IMAGE_ROW_MAKERS[maker](images, np.arange(10))
    assert X.dtype == dtype


def test_an_object_array_of_numbers_is_read_as_float64():
    images = np.arange(40).reshape(10, 4).astype(object)
    X, _ = make_arithmetic_pairs(images, np.arange(10), n_pairs=5, random_state=0)
    assert X.dtype == np.float64


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
    assert "train-images-idx3-ubyte, train-labels-idx1-ubyte" in str(error.value)


def write_idx_files(folder, subset="test", n_images=3):
    """Write small but well-formed MNIST IDX files of ``subset`` into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    prefix = "train" if subset == "train" else "t10k"
    pixels = np.arange(n_images * 784, dtype=np.uint8).reshape(n_images, 28, 28)
    header = np.array([2051, n_images, 28, 28], dtype=">u4").tobytes()
    (folder / f"{prefix}-images-idx3-ubyte").write_bytes(header + pixels.tobytes())
    labels = np.arange(n_images, dtype=np.uint8) % 10
    header = np.array([2049, n_images], dtype=">u4").tobytes()
    (folder / f"{prefix}-labels-idx1-ubyte").write_bytes(header + labels.tobytes())
    return pixels, labels


def test_fetch_mnist_reads_well_formed_idx_files(tmp_path):
    pixels, labels = write_idx_files(mnist_raw_folder(tmp_path), n_images=3)
    mnist = fetch_mnist(subset="test", data_home=tmp_path, download_if_missing=False)
    np.testing.assert_array_equal(mnist.images, pixels / np.float32(255))
    np.testing.assert_array_equal(mnist.target, labels)
    assert mnist.data.shape == (3, 784)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (
            lambda raw: raw[:-100],
            "it has 2268 bytes where its header announces 3 items in 2368",
        ),
        (lambda raw: raw[:10], "fewer than its 16-byte header"),
        (lambda raw: b"\x00\x00\x08\x01" + raw[4:], "magic number is 2049, not 2051"),
        (lambda raw: raw[:8] + b"\x00" * 8 + raw[16:], r"items are \(0, 0\)"),
    ],
    ids=["truncated", "header-cut", "wrong-magic", "wrong-shape"],
)
def test_fetch_mnist_refuses_a_damaged_idx_file_and_says_what_to_do(
    tmp_path, damage, message
):
    folder = mnist_raw_folder(tmp_path)
    write_idx_files(folder)
    images = folder / "t10k-images-idx3-ubyte"
    images.write_bytes(damage(images.read_bytes()))
    with pytest.raises(OSError, match=f"{message}.*Delete it") as error:
        fetch_mnist(subset="test", data_home=tmp_path, download_if_missing=False)
    assert str(images) in str(error.value)


def test_fetch_mnist_refuses_a_truncated_label_file(tmp_path):
    folder = mnist_raw_folder(tmp_path)
    write_idx_files(folder)
    labels = folder / "t10k-labels-idx1-ubyte"
    labels.write_bytes(labels.read_bytes()[:-1])
    with pytest.raises(OSError, match="t10k-labels-idx1-ubyte is truncated"):
        fetch_mnist(subset="test", data_home=tmp_path, download_if_missing=False)


def fake_download(n_images=3, fail_after=None, error=RuntimeError, requests=None):
    """A stand-in for torchvision's ``MNIST.download``: writes all four files
    into the folder it is given, whatever it was asked for, as a downloader
    that fetches too much would; with ``fail_after``, writes that many files,
    then half of the next, and raises ``error`` as a dropped connection or a
    Ctrl-C would. The names of the files asked for go to ``requests``."""

    def download(self):
        if requests is not None:
            requests.extend(name.removesuffix(".gz") for name, _ in self.resources)
        folder = Path(self.raw_folder)
        write_idx_files(folder, "train", n_images)
        write_idx_files(folder, "test", n_images)
        if fail_after is not None:
            names = sorted(path.name for path in folder.iterdir())
            for name in names[fail_after + 1 :]:
                (folder / name).unlink()
            half = folder / names[fail_after]
            half.write_bytes(half.read_bytes()[: half.stat().st_size // 2])
            raise error("connection reset")

    return download


TRAIN = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte")
TEST = ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


def contents(folder):
    """The bytes of each file in ``folder``, by name."""
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_fetch_mnist_download_moves_complete_files_into_place(tmp_path, monkeypatch):
    from torchvision.datasets import MNIST

    requests = []
    monkeypatch.setattr(MNIST, "download", fake_download(4, requests=requests))
    mnist = fetch_mnist(subset="train", data_home=tmp_path)
    assert mnist.data.shape == (4, 784)
    assert sorted(requests) == sorted(TRAIN)
    assert set(contents(mnist_raw_folder(tmp_path))) == set(TRAIN)


def test_fetching_the_test_set_leaves_the_training_files_as_they_were(
    tmp_path, monkeypatch
):
    from torchvision.datasets import MNIST

    folder = mnist_raw_folder(tmp_path)
    write_idx_files(folder, "train", n_images=5)
    before = contents(folder)
    requests = []
    monkeypatch.setattr(MNIST, "download", fake_download(3, requests=requests))
    assert fetch_mnist(subset="test", data_home=tmp_path).data.shape == (3, 784)
    assert sorted(requests) == sorted(TEST)
    after = contents(folder)
    assert {name: after[name] for name in TRAIN} == before
    assert fetch_mnist(subset="train", data_home=tmp_path).data.shape == (5, 784)


@pytest.mark.parametrize("present", TEST)
def test_only_the_missing_file_of_a_pair_is_downloaded(tmp_path, monkeypatch, present):
    from torchvision.datasets import MNIST

    folder = mnist_raw_folder(tmp_path)
    write_idx_files(folder, "test", n_images=3)
    # The user's copy: the same header, the items in reverse order.
    raw = (folder / present).read_bytes()
    header = 16 if "images" in present else 8
    mine = raw[:header] + raw[header:][::-1]
    (folder / present).write_bytes(mine)
    (folder / next(name for name in TEST if name != present)).unlink()
    requests = []
    monkeypatch.setattr(MNIST, "download", fake_download(3, requests=requests))
    fetch_mnist(subset="test", data_home=tmp_path)
    assert requests == [name for name in TEST if name != present]
    assert (folder / present).read_bytes() == mine
    assert set(contents(folder)) == set(TEST)


def refuse_hard_links(monkeypatch):
    """Make ``os.link`` fail as it does on a file system without hard links."""
    from sklarith.datasets import _mnist

    def no_links(src, dst):
        raise PermissionError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(_mnist.os, "link", no_links)


@pytest.mark.parametrize("hard_links", [True, False])
def test_a_file_put_in_place_during_the_download_is_not_replaced(
    tmp_path, monkeypatch, hard_links
):
    """Another process (or the user) may complete a file while this one
    downloads it: the move into place must not clobber it."""
    from torchvision.datasets import MNIST

    if not hard_links:
        refuse_hard_links(monkeypatch)
    folder = mnist_raw_folder(tmp_path)
    theirs = tmp_path / "theirs"
    write_idx_files(theirs, "test", n_images=7)
    download = fake_download(3)

    def racing_download(self):
        download(self)
        for name in TEST:
            (folder / name).write_bytes((theirs / name).read_bytes())

    monkeypatch.setattr(MNIST, "download", racing_download)
    assert fetch_mnist(subset="test", data_home=tmp_path).data.shape == (7, 784)
    assert contents(folder) == contents(theirs)


def test_without_hard_links_the_move_still_replaces_nothing(tmp_path, monkeypatch):
    """On a file system without hard links the files are renamed into
    place, and only under names that are free."""
    from torchvision.datasets import MNIST

    refuse_hard_links(monkeypatch)
    folder = mnist_raw_folder(tmp_path)
    write_idx_files(folder, "train", n_images=5)
    before = contents(folder)
    monkeypatch.setattr(MNIST, "download", fake_download(3))
    assert fetch_mnist(subset="test", data_home=tmp_path).data.shape == (3, 784)
    assert {name: contents(folder)[name] for name in TRAIN} == before
    assert set(contents(folder)) == set(TRAIN + TEST)


@pytest.mark.parametrize(
    ("error", "raised"),
    [(RuntimeError, OSError), (KeyboardInterrupt, KeyboardInterrupt)],
    ids=["network-error", "interrupted"],
)
def test_an_interrupted_download_leaves_no_file_to_be_read_later(
    tmp_path, monkeypatch, error, raised
):
    from torchvision.datasets import MNIST

    monkeypatch.setattr(MNIST, "download", fake_download(fail_after=1, error=error))
    with pytest.raises(raised):
        fetch_mnist(subset="test", data_home=tmp_path)
    folder = mnist_raw_folder(tmp_path)
    assert list(folder.iterdir()) == []
    with pytest.raises(OSError, match="MNIST files not found"):
        fetch_mnist(subset="test", data_home=tmp_path, download_if_missing=False)


def test_an_interrupted_download_leaves_the_files_already_there(tmp_path, monkeypatch):
    from torchvision.datasets import MNIST

    folder = mnist_raw_folder(tmp_path)
    write_idx_files(folder, "train", n_images=5)
    before = contents(folder)
    monkeypatch.setattr(MNIST, "download", fake_download(fail_after=2))
    with pytest.raises(OSError, match="Could not download"):
        fetch_mnist(subset="test", data_home=tmp_path)
    assert contents(folder) == before


def test_a_crash_between_two_moves_leaves_only_whole_files(tmp_path, monkeypatch):
    from torchvision.datasets import MNIST

    from sklarith.datasets import _mnist

    link = _mnist.os.link
    calls = []

    def link_once(src, dst):
        calls.append(dst)
        if len(calls) > 1:
            raise KeyboardInterrupt
        link(src, dst)

    monkeypatch.setattr(_mnist.os, "link", link_once)
    monkeypatch.setattr(MNIST, "download", fake_download(3))
    with pytest.raises(KeyboardInterrupt):
        fetch_mnist(subset="test", data_home=tmp_path)
    folder = mnist_raw_folder(tmp_path)
    assert [path.name for path in folder.iterdir()] == [Path(calls[0]).name]
    assert (folder / Path(calls[0]).name).stat().st_size > 16


def test_offline_the_error_names_the_missing_files_only(tmp_path):
    folder = mnist_raw_folder(tmp_path)
    write_idx_files(folder, "test")
    (folder / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(OSError, match="download_if_missing=False") as error:
        fetch_mnist(subset="test", data_home=tmp_path, download_if_missing=False)
    message = str(error.value)
    assert f"in {folder} and download_if_missing=False: t10k-labels" in message
    assert "t10k-images-idx3-ubyte" not in message
    assert "SCIKIT_LEARN_DATA" in message


def test_offline_a_compressed_copy_is_named_with_the_fix(tmp_path):
    folder = mnist_raw_folder(tmp_path)
    write_idx_files(folder, "test")
    labels = folder / "t10k-labels-idx1-ubyte"
    labels.rename(folder / "t10k-labels-idx1-ubyte.gz")
    with pytest.raises(
        OSError, match=r"are there: gunzip -k t10k-labels-idx1-ubyte\.gz"
    ):
        fetch_mnist(subset="test", data_home=tmp_path, download_if_missing=False)


def test_fetch_mnist_refuses_labels_that_are_not_digits(tmp_path):
    folder = mnist_raw_folder(tmp_path)
    write_idx_files(folder, "test", n_images=4)
    labels = folder / "t10k-labels-idx1-ubyte"
    labels.write_bytes(labels.read_bytes()[:-2] + bytes([10, 255]))
    with pytest.raises(OSError, match=r"labels outside 0-9 \(10, 255\).*Delete it"):
        fetch_mnist(subset="test", data_home=tmp_path, download_if_missing=False)
    with pytest.raises(OSError, match=re.escape(str(labels))):
        fetch_mnist(subset="test", data_home=tmp_path, download_if_missing=False)


def test_fetch_mnist_refuses_files_of_different_lengths_by_name(tmp_path):
    folder = mnist_raw_folder(tmp_path)
    write_idx_files(folder, "test", n_images=4)
    write_idx_files(tmp_path / "other", "test", n_images=3)
    labels = folder / "t10k-labels-idx1-ubyte"
    labels.write_bytes((tmp_path / "other" / labels.name).read_bytes())
    with pytest.raises(OSError, match=r"4 images.*3 labels") as error:
        fetch_mnist(subset="test", data_home=tmp_path, download_if_missing=False)
    assert str(folder / "t10k-images-idx3-ubyte") in str(error.value)
    assert str(labels) in str(error.value)


@pytest.mark.parametrize("name", TEST)
def test_fetch_mnist_refuses_a_file_without_items(tmp_path, name):
    folder = mnist_raw_folder(tmp_path)
    write_idx_files(folder, "test", n_images=3)
    write_idx_files(tmp_path / "empty", "test", n_images=0)
    (folder / name).write_bytes((tmp_path / "empty" / name).read_bytes())
    with pytest.raises(OSError, match=f"{name} .*holds no items"):
        fetch_mnist(subset="test", data_home=tmp_path, download_if_missing=False)


def test_a_broken_link_under_an_mnist_name_is_refused_not_replaced(
    tmp_path, monkeypatch
):
    from torchvision.datasets import MNIST

    folder = mnist_raw_folder(tmp_path)
    write_idx_files(folder, "test")
    images = folder / "t10k-images-idx3-ubyte"
    images.unlink()
    images.symlink_to(tmp_path / "moved" / images.name)
    monkeypatch.setattr(MNIST, "download", fake_download(3))
    with pytest.raises(
        OSError, match=r"symbolic link to .*moved.*which does not exist"
    ):
        fetch_mnist(subset="test", data_home=tmp_path)
    assert images.is_symlink()
    assert not images.exists()


def test_fetch_mnist_reads_files_linked_from_elsewhere(tmp_path, monkeypatch):
    from torchvision.datasets import MNIST

    shared = tmp_path / "shared"
    pixels, _ = write_idx_files(shared, "test")
    folder = mnist_raw_folder(tmp_path / "home")
    folder.mkdir(parents=True)
    for name in TEST:
        (folder / name).symlink_to(shared / name)
    monkeypatch.setattr(MNIST, "download", fake_download(5))
    mnist = fetch_mnist(subset="test", data_home=tmp_path / "home")
    np.testing.assert_array_equal(mnist.images, pixels / np.float32(255))
    assert all((folder / name).is_symlink() for name in TEST)


def test_a_folder_under_an_mnist_file_name_is_refused(tmp_path):
    folder = mnist_raw_folder(tmp_path)
    write_idx_files(folder, "test")
    labels = folder / "t10k-labels-idx1-ubyte"
    labels.unlink()
    labels.mkdir()
    with pytest.raises(
        OSError, match=re.escape(f"{labels} is a folder, not an MNIST file")
    ):
        fetch_mnist(subset="test", data_home=tmp_path)


@pytest.mark.parametrize("where", [".", "MNIST", "MNIST/raw"])
def test_a_file_where_the_data_home_should_be_is_named(tmp_path, where):
    home = tmp_path / "home"
    blocked = home / where
    blocked.parent.mkdir(parents=True, exist_ok=True)
    blocked.write_text("notes")
    with pytest.raises(
        OSError, match=re.escape(f"{blocked.resolve()} is a file, not a folder")
    ):
        fetch_mnist(subset="test", data_home=home)
    with pytest.raises(OSError, match="is a file, not a folder"):
        fetch_mnist(subset="test", data_home=home, download_if_missing=False)
    assert blocked.read_text() == "notes"


def test_a_data_home_below_a_file_names_the_file(tmp_path):
    blocked = tmp_path / "notes"
    blocked.write_text("notes")
    with pytest.raises(OSError, match=re.escape(f"{blocked} is a file, not a folder")):
        fetch_mnist(subset="test", data_home=blocked / "data")
    assert blocked.read_text() == "notes"


def serve_mnist(monkeypatch, files):
    """Run torchvision's own MNIST downloader against ``files``, gzipped IDX
    files by name, instead of the network; returns the names fetched."""
    import gzip
    import hashlib

    import torchvision.datasets.utils as tv_utils
    from torchvision.datasets import MNIST

    archives = {f"{name}.gz": gzip.compress(raw) for name, raw in files.items()}
    resources = [(name, hashlib.md5(raw).hexdigest()) for name, raw in archives.items()]
    fetched = []

    def urlretrieve(url, filename, chunk_size=None):
        fetched.append(url.rsplit("/", 1)[-1])
        Path(filename).write_bytes(archives[fetched[-1]])

    monkeypatch.setattr(MNIST, "resources", resources)
    monkeypatch.setattr(MNIST, "mirrors", MNIST.mirrors[:1])
    monkeypatch.setattr(tv_utils, "_get_redirect_url", lambda url, max_hops: url)
    monkeypatch.setattr(tv_utils, "_urlretrieve", urlretrieve)
    return fetched


def test_torchvisions_downloader_fetches_only_the_missing_files(tmp_path, monkeypatch):
    served = tmp_path / "served"
    write_idx_files(served, "train", n_images=3)
    write_idx_files(served, "test", n_images=3)
    fetched = serve_mnist(monkeypatch, contents(served))
    folder = mnist_raw_folder(tmp_path / "home")
    write_idx_files(folder, "train", n_images=5)
    (folder / "t10k-images-idx3-ubyte").write_bytes(
        (served / "t10k-images-idx3-ubyte").read_bytes()
    )
    before = contents(folder)
    fetch_mnist(subset="test", data_home=tmp_path / "home")
    assert fetched == ["t10k-labels-idx1-ubyte.gz"]
    after = contents(folder)
    assert after == {
        **before,
        "t10k-labels-idx1-ubyte": after["t10k-labels-idx1-ubyte"],
    }
    assert set(after) == set(TRAIN + TEST)


def test_a_download_that_fails_its_checksum_leaves_nothing(tmp_path, monkeypatch):
    from torchvision.datasets import MNIST

    served = tmp_path / "served"
    write_idx_files(served, "test", n_images=3)
    serve_mnist(monkeypatch, contents(served))
    name, _ = MNIST.resources[0]
    monkeypatch.setattr(MNIST, "resources", [(name, "0" * 32), *MNIST.resources[1:]])
    with pytest.raises(OSError, match=r"(?s)Could not download.*corrupted"):
        fetch_mnist(subset="test", data_home=tmp_path / "home")
    assert list(mnist_raw_folder(tmp_path / "home").iterdir()) == []


def refuse_writes(monkeypatch):
    """Make the data home read-only for the loader, even to root."""
    from sklarith.datasets import _mnist

    def read_only(*args, **kwargs):
        raise PermissionError(errno.EROFS, "Read-only file system", kwargs.get("dir"))

    monkeypatch.setattr(_mnist.tempfile, "mkdtemp", read_only)


def test_fetch_mnist_in_a_read_only_data_home_says_it_cannot_write(
    tmp_path, monkeypatch
):
    refuse_writes(monkeypatch)
    with pytest.raises(OSError, match="data home is not writable") as error:
        fetch_mnist(subset="test", data_home=tmp_path)
    assert "SCIKIT_LEARN_DATA" in str(error.value)
    assert "Read-only file system" in str(error.value)


def test_fetch_mnist_reads_a_read_only_data_home_that_holds_the_files(
    tmp_path, monkeypatch
):
    write_idx_files(mnist_raw_folder(tmp_path))
    refuse_writes(monkeypatch)
    assert fetch_mnist(subset="test", data_home=tmp_path).data.shape == (3, 784)


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


def test_make_addition_labels_each_row_with_its_sum():
    X, y = make_addition(100, max_sum=16, random_state=0)
    assert X.shape == (100, 2)
    assert X.dtype == y.dtype == np.int64
    np.testing.assert_array_equal(y, X.sum(axis=1))


def test_make_addition_operands_cover_zero_to_max_sum_over_n_operands():
    X, y = make_addition(2000, max_sum=31, n_operands=3, random_state=0)
    assert set(np.unique(X)) == set(range(11))
    assert y.max() <= 31


def test_make_addition_is_reproducible_with_random_state():
    first = make_addition(50, max_sum=256, random_state=7)
    second = make_addition(50, max_sum=256, random_state=7)
    np.testing.assert_array_equal(first[0], second[0])


def test_make_addition_refuses_a_max_sum_below_n_operands():
    with pytest.raises(ValueError, match="max_sum must be at least n_operands"):
        make_addition(10, max_sum=2, n_operands=3)


def test_make_identity_adder_appends_an_integer_and_labels_digit_and_sum():
    images = np.arange(10, dtype=np.float32)[:, None] * np.ones((10, 4), np.float32)
    X, y = make_identity_adder(images, np.arange(10), random_state=0)
    assert X.shape == (10, 5)
    assert X.dtype == np.float32
    np.testing.assert_array_equal(X[:, :4], images)
    assert list(y.columns) == ["digit", "sum"]
    np.testing.assert_array_equal(y["digit"], np.arange(10))
    np.testing.assert_array_equal(y["sum"], np.arange(10) + X[:, -1])


def test_make_identity_adder_draws_every_integer_uniformly():
    images = np.zeros((20_000, 4))
    X, _ = make_identity_adder(images, np.zeros(20_000), random_state=0)
    counts = np.bincount(X[:, -1].astype(int), minlength=10)
    assert counts.size == 10
    assert np.all(np.abs(counts / 20_000 - 0.1) < 0.01)


def test_make_identity_adder_is_reproducible():
    images, labels = np.eye(10), np.arange(10)
    first, _ = make_identity_adder(images, labels, random_state=1)
    second, _ = make_identity_adder(images, labels, random_state=1)
    np.testing.assert_array_equal(first, second)


def test_make_identity_adder_rejects_labels_that_are_not_digits():
    with pytest.raises(ValueError, match="labels must be digits"):
        make_identity_adder(np.eye(3), [0, 1, 10])


def test_number_addition_labels_sums_of_numbers_too_long_for_int64():
    digits = load_digit_images()
    _, Y, indices = make_number_addition(
        digits.data, digits.target, n_digits=25, random_state=0, return_indices=True
    )
    labels = digits.target[indices]
    for row in range(len(Y)):
        first = int("".join(map(str, labels[row, :25])))
        second = int("".join(map(str, labels[row, 25:])))
        assert "".join(map(str, Y.iloc[row])) == f"{first + second:026d}"
