"""MNIST and the embedded 8x8 digits, in scikit-learn's loader conventions."""

import errno
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
from sklearn.datasets import get_data_home, load_digits
from sklearn.utils import Bunch
from sklearn.utils._param_validation import StrOptions, validate_params

_MNIST_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}

_MNIST_DESCR = """MNIST handwritten digits
========================

70,000 grey-scale images of handwritten digits 0-9, 28x28 pixels: 60,000 for
training and 10,000 for testing (LeCun, Cortes and Burges). ``data`` holds the
pixels scaled to [0, 1], one flattened image per row; ``images`` the same
pixels as (n, 28, 28); ``target`` the digit of each image.
"""


#: Magic number and shape of one item of each kind of MNIST IDX file.
_IDX_FORMATS = {
    "images": (2051, (28, 28)),
    "labels": (2049, ()),
}

_REDOWNLOAD = (
    "Delete it and call fetch_mnist again to download it anew, or replace it "
    "with a good copy."
)


def _not_a_folder(path):
    """Why ``path``, which exists, cannot be used as a folder, or None."""
    if path.is_dir():
        return None
    if path.is_symlink():
        return (
            f"{path} is a symbolic link to {os.readlink(path)}, which does not "
            "exist or is not a folder"
        )
    return f"{path} is a file, not a folder"


def mnist_raw_folder(data_home=None):
    """The folder that holds (or will hold) the four MNIST IDX files.

    scikit-learn creates the data home if it does not exist; a data home, or
    an ``MNIST`` or ``raw`` folder in it, that is a file (or a broken link)
    is refused with an ``OSError`` that names it, and is left as it is.
    """
    move_it = "Move it away, or pass data_home= (or set SCIKIT_LEARN_DATA to) "
    try:
        home = Path(get_data_home(data_home))
    except OSError as exc:
        # The nearest path that exists on the way is the one in the way.
        tried = Path(exc.filename) if exc.filename else Path()
        existing = next(
            (path for path in (tried, *tried.parents) if os.path.lexists(path)), None
        )
        problem = existing and _not_a_folder(existing)
        if problem:
            fix = f"{move_it}another folder."
        else:
            problem = str(exc)
            fix = "Pass data_home= (or set SCIKIT_LEARN_DATA to) a writable folder."
        raise OSError(f"Cannot create the data home: {problem}. {fix}") from exc
    for path in (home / "MNIST", home / "MNIST" / "raw"):
        problem = _not_a_folder(path) if os.path.lexists(path) else None
        if problem:
            raise OSError(
                f"Cannot keep MNIST in the data home {home}: {problem}. "
                f"{move_it}another folder."
            )
    return home / "MNIST" / "raw"


def _put_in_place(source, target):
    """Move the complete file ``source`` to ``target`` unless ``target`` exists.

    A hard link is atomic and fails when ``target`` exists (as a file, a
    folder or a link, even a broken one), so a file that another process or
    the user put there meanwhile is kept, never replaced. Where the file
    system has no hard links the file is renamed, after checking that the
    name is free: a rename replaces what it lands on.
    """
    try:
        os.link(source, target)
    except FileExistsError:
        pass
    except OSError as exc:
        if exc.errno not in _NO_HARD_LINKS:
            raise
        if not os.path.lexists(target):
            os.replace(source, target)


#: What ``os.link`` raises on a file system without hard links (FAT, exFAT,
#: some network and FUSE file systems).
_NO_HARD_LINKS = {
    errno.EPERM,
    errno.EACCES,
    errno.EXDEV,
    errno.EMLINK,
    errno.ENOSYS,
    getattr(errno, "ENOTSUP", errno.EPERM),
    getattr(errno, "EOPNOTSUPP", errno.EPERM),
}


def _downloader(folder, names):
    """torchvision's MNIST downloader, limited to ``names``, writing to ``folder``.

    Its mirrors, checksums and decompression are torchvision's; only the
    list of files (its ``resources``) and the folder they go to are ours.
    """
    from torchvision.datasets import MNIST

    class _MissingFiles(MNIST):
        resources = [
            (archive, md5)
            for archive, md5 in MNIST.resources
            if archive.removesuffix(".gz") in names
        ]

        def __init__(self):  # only download(): no files to load
            self.root = str(folder)

        @property
        def raw_folder(self):
            return str(folder)

    return _MissingFiles()


def _download_mnist(folder, names):
    """Download the IDX files ``names`` into ``folder``, without replacing any.

    torchvision downloads and decompresses into a hidden staging folder
    inside ``folder`` (so on the same file system); each complete file is
    then moved into place under its name only if that name is free (see
    :func:`_put_in_place`). An interrupted or failed download leaves no
    file under an MNIST name, so no half-written file is ever read as MNIST
    later, and the files already in ``folder`` stay as they were.
    """
    listed = ", ".join(names)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".download-", dir=folder))
    except OSError as exc:
        raise OSError(
            f"Cannot download MNIST into {folder}: the data home is not writable "
            f"({exc}). Pass a writable data_home or set SCIKIT_LEARN_DATA to one, "
            f"or put the IDX files {listed} in that folder."
        ) from exc
    try:
        _downloader(staging, names).download()
        for name in names:
            _put_in_place(staging / name, folder / name)
    except (OSError, RuntimeError) as exc:
        raise OSError(
            f"Could not download MNIST into {folder}: {str(exc).rstrip()}. "
            f"Offline, put the IDX files {listed} (uncompressed) in that folder"
            f"{_compressed_hint(folder, names)}, or set SCIKIT_LEARN_DATA to the "
            "folder that holds MNIST/raw/."
        ) from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _open_mnist_file(path):
    """Open ``path`` for reading, or raise an ``OSError`` that says why not."""
    if path.is_symlink() and not path.exists():
        raise OSError(
            f"The MNIST file {path} is a symbolic link to {os.readlink(path)}, "
            "which does not exist. Fix the link, or remove it and call "
            "fetch_mnist again to download the file."
        )
    if path.is_dir():
        raise OSError(
            f"{path} is a folder, not an MNIST file. Move it away and call "
            "fetch_mnist again to download the file, or put the file there."
        )
    try:
        return open(path, "rb")
    except OSError as exc:
        raise OSError(
            f"Cannot read the MNIST file {path}: {exc.strerror or exc}. Make it "
            "readable, or replace it with a readable copy."
        ) from exc


def _check_idx_file(path):
    """Return the number of items in ``path``, a whole MNIST IDX file, or
    raise an ``OSError``.

    The header holds a magic number, the number of items and their shape; a
    file cut short, with a damaged header or without items is refused here,
    with the fix, rather than by an assertion deep in torchvision's reader.
    """
    magic, item_shape = _IDX_FORMATS["images" if "images" in path.name else "labels"]
    header_size = 4 * (2 + len(item_shape))
    with _open_mnist_file(path) as file:
        header = file.read(header_size)
        size = os.fstat(file.fileno()).st_size
    if len(header) < header_size:
        problem = f"it has {size} bytes, fewer than its {header_size}-byte header"
    else:
        found_magic, n_items, *found_shape = np.frombuffer(header, ">u4").tolist()
        item_size = int(np.prod(item_shape, dtype=np.int64))
        expected = header_size + n_items * item_size
        if found_magic != magic:
            problem = f"its magic number is {found_magic}, not {magic}"
        elif tuple(found_shape) != item_shape:
            problem = f"its items are {tuple(found_shape)}, not {item_shape}"
        elif size != expected:
            problem = (
                f"it has {size} bytes where its header announces {n_items} items "
                f"in {expected} bytes"
            )
        elif n_items == 0:
            problem = "its header is whole but it holds no items"
        else:
            return n_items
    raise OSError(
        f"The MNIST file {path} is truncated or corrupted: {problem}. {_REDOWNLOAD}"
    )


def _compressed_hint(folder, names):
    """A clause on the gzipped copies of ``names`` in ``folder``, if any."""
    found = [f"{name}.gz" for name in names if (folder / f"{name}.gz").is_file()]
    if not found:
        return ""
    return f" (the compressed copies are there: gunzip -k {' '.join(found)})"


@validate_params(
    {
        "subset": [StrOptions({"train", "test"})],
        "data_home": [str, os.PathLike, None],
        "download_if_missing": ["boolean"],
        "return_X_y": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def fetch_mnist(
    *, subset="train", data_home=None, download_if_missing=True, return_X_y=False
):
    """Load the MNIST training or test images, downloading them if needed.

    The files are kept in torchvision's layout under scikit-learn's data home:
    ``<data_home>/MNIST/raw/train-images-idx3-ubyte`` and so on, where
    ``data_home`` defaults to :func:`sklearn.datasets.get_data_home` (set the
    ``SCIKIT_LEARN_DATA`` environment variable to move it). Reading, download
    and checksums are torchvision's :class:`torchvision.datasets.MNIST`.

    Parameters
    ----------
    subset : {"train", "test"}, default="train"
        The 60,000 training images or the 10,000 test images.
    data_home : str or path-like, default=None
        Where to look for (and store) the files; see above.
    download_if_missing : bool, default=True
        Download the files of ``subset`` that are not in ``data_home``, and
        only those: a file already there (even one of a pair, or a link) is
        read or refused, never replaced. Each downloaded file appears under
        its name only once complete, so an interrupted download leaves no
        partial file. When false, or when the download fails, an ``OSError``
        names the missing files and the folder to put them in.

        A file that is not a whole MNIST IDX file (cut short, a wrong magic
        number or image size, no items, labels outside 0-9), or images and
        labels of different lengths, are refused with an ``OSError`` that
        names the file and the fix; so is a data home that is a file.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data`` float32 of shape (n, 784) in [0, 1], ``target`` int64 of
        shape (n,), ``images`` float32 of shape (n, 28, 28),
        ``image_shape=(28, 28)``, ``DESCR``.
    (data, target) : tuple
        When ``return_X_y`` is true.

    See Also
    --------
    load_digit_images : The embedded 8x8 digits, always available offline.
    make_arithmetic_pairs : Pairs of images labelled with arithmetic results.

    Examples
    --------
    >>> from sklarith.datasets import fetch_mnist
    >>> mnist = fetch_mnist(subset="test")  # doctest: +SKIP
    >>> mnist.data.shape, mnist.target[:5]  # doctest: +SKIP
    ((10000, 784), array([7, 2, 1, 0, 4]))
    """
    from torchvision.datasets.mnist import read_image_file, read_label_file

    folder = mnist_raw_folder(data_home)
    # A name that exists in any form (a file, a folder, a link, even a broken
    # one) is the user's: it is read or refused, never downloaded over.
    missing = [
        name for name in _MNIST_FILES[subset] if not os.path.lexists(folder / name)
    ]
    if missing and not download_if_missing:
        raise OSError(
            f"MNIST files not found in {folder} and download_if_missing=False: "
            f"{', '.join(missing)}. Put the IDX files there, uncompressed"
            f"{_compressed_hint(folder, missing)}, or set SCIKIT_LEARN_DATA to "
            "the folder that holds MNIST/raw/, or pass download_if_missing=True."
        )
    if missing:
        _download_mnist(folder, missing)
    image_file, label_file = (folder / name for name in _MNIST_FILES[subset])
    n_images, n_labels = _check_idx_file(image_file), _check_idx_file(label_file)
    if n_images != n_labels:
        raise OSError(
            f"The MNIST files {image_file} and {label_file} do not match: "
            f"{n_images} images and {n_labels} labels. Replace them with a "
            "matching pair, or delete both and call fetch_mnist again to "
            "download them."
        )
    target = read_label_file(label_file).numpy().astype(np.int64)
    not_digits = np.unique(target[target > 9])
    if not_digits.size:
        found = ", ".join(map(str, not_digits[:5].tolist()))
        raise OSError(
            f"The MNIST file {label_file} holds labels outside 0-9 ({found}): it "
            f"is not MNIST's label file. {_REDOWNLOAD}"
        )
    images = read_image_file(image_file).numpy().astype(np.float32)
    images /= np.float32(255)
    data = images.reshape(len(images), -1)
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        images=images,
        image_shape=(28, 28),
        target_names=np.arange(10),
        DESCR=_MNIST_DESCR,
    )


@validate_params({"return_X_y": ["boolean"]}, prefer_skip_nested_validation=True)
def load_digit_images(*, return_X_y=False):
    """Load scikit-learn's bundled 8x8 digits in the form of :func:`fetch_mnist`.

    The 1,797 images of :func:`sklearn.datasets.load_digits`, with pixels
    scaled from 0-16 to [0, 1]. They ship with scikit-learn, so this loader
    works offline and fast, which makes it the default of the demo and tests.

    Parameters
    ----------
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data`` float32 of shape (1797, 64) in [0, 1], ``target`` int64,
        ``images`` float32 of shape (1797, 8, 8), ``image_shape=(8, 8)``,
        ``DESCR``.
    (data, target) : tuple
        When ``return_X_y`` is true.

    See Also
    --------
    fetch_mnist : The 28x28 MNIST images.

    Examples
    --------
    >>> from sklarith.datasets import load_digit_images
    >>> digits = load_digit_images()
    >>> digits.data.shape, digits.image_shape
    ((1797, 64), (8, 8))
    >>> float(digits.data.min()), float(digits.data.max())
    (0.0, 1.0)
    """
    digits = load_digits()
    data = digits.data.astype(np.float32) / np.float32(16)
    target = digits.target.astype(np.int64)
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        images=data.reshape(-1, 8, 8),
        image_shape=(8, 8),
        target_names=np.arange(10),
        DESCR=digits.DESCR,
    )
