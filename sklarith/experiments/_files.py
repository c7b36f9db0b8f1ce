"""Files the experiments write, whole or not at all, and files they cannot read,
set aside.

Every file an experiment writes (results files, the tables that quote them,
kept autoencoders, saved models) goes through :func:`write_atomically`:
Ctrl-C, ``kill -9`` or a full disk during a write leave the previous file as
it was, never a truncated one that a later run would fail to read. A file an
experiment kept for itself but cannot read back is :func:`set_aside`, not
deleted: it is the user's file, and may hold hours of work.
"""

import os
import warnings
from pathlib import Path

from sklarith.exceptions import UnreadableFileWarning


def write_atomically(path, write):
    """Write the file ``path`` whole, or leave it as it was.

    ``write(temporary)`` writes the content to a temporary file beside
    ``path``, which then takes the place of ``path`` by a rename.

    Parameters
    ----------
    path : str or path-like
        The file to write; its folder must exist.
    write : callable
        Called with the :class:`~pathlib.Path` of the temporary file, which
        it creates and writes (``lambda temporary: joblib.dump(model,
        temporary)``).

    Raises
    ------
    OSError
        When the content cannot be written or renamed (a full disk, a folder
        in the way); its ``filename`` is ``path``, not the temporary's.
        Whatever ``write`` raises otherwise (``KeyboardInterrupt`` included)
        is raised as it is. Either way, no temporary file is left behind.
    """
    path = Path(path)
    # A link is written through, as an ``open(path, "w")`` would: the rename
    # replaces the file it points to, not the link.
    target = Path(os.path.realpath(path))
    # In the same folder: a rename is atomic only within one file system. The
    # process id keeps two processes writing the same file off each other's
    # temporary; the leading dot keeps it out of the user's listing.
    temporary = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        write(temporary)
        os.replace(temporary, target)
    except OSError as exc:
        # The temporary's name, or none (a write to an open file names
        # nothing), would not tell the user which file failed.
        if exc.errno is None:
            raise OSError(f"could not write {path}: {exc}") from exc
        raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from exc
    finally:
        temporary.unlink(missing_ok=True)


def set_aside(path, reason):
    """Rename the file ``path``, which cannot be read, out of the way; warn.

    It becomes ``<name>.unreadable`` (``<name>.unreadable-2``, ... when that
    name is taken), so that what wrote it can write it again, and the user
    still has the old one to look into or delete.

    Parameters
    ----------
    path : path-like
        The file that could not be read.
    reason : str
        Why, for the warning: ``"it is empty"``.

    Returns
    -------
    aside : pathlib.Path
        Where the file now is.
    """
    path = Path(path)
    aside = path.with_name(f"{path.name}.unreadable")
    number = 1
    while aside.exists():
        number += 1
        aside = path.with_name(f"{path.name}.unreadable-{number}")
    os.replace(path, aside)
    warnings.warn(
        f"{path} could not be read ({reason}): it is set aside as {aside.name} "
        "and made again",
        UnreadableFileWarning,
        stacklevel=2,
    )
    return aside
