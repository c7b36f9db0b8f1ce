"""Files the experiments write whole or not at all, and files they cannot read,
set aside (``sklarith/experiments/_files.py``)."""

import errno
import os

import pytest

from sklarith.experiments._files import (
    UnreadableFileWarning,
    set_aside,
    write_atomically,
)


def test_a_write_puts_the_content_in_place_and_leaves_nothing_else(tmp_path):
    write_atomically(tmp_path / "a.json", lambda temporary: temporary.write_text("{}"))
    assert [path.name for path in tmp_path.iterdir()] == ["a.json"]
    assert (tmp_path / "a.json").read_text() == "{}"


def test_an_interrupted_write_leaves_the_old_file_whole(tmp_path):
    path = tmp_path / "a.json"
    path.write_text("the old results")

    def interrupted(temporary):
        temporary.write_text("half of the new")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_atomically(path, interrupted)
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]
    assert path.read_text() == "the old results"


def test_a_full_disk_names_the_file_not_its_temporary(tmp_path):
    def full_disk(temporary):
        temporary.write_text("half")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with pytest.raises(OSError, match="No space left on device") as error:
        write_atomically(tmp_path / "a.json", full_disk)
    assert error.value.errno == errno.ENOSPC
    assert error.value.filename == str(tmp_path / "a.json")
    assert list(tmp_path.iterdir()) == []


def test_a_write_through_a_link_replaces_the_file_it_points_to(tmp_path):
    (tmp_path / "target.md").write_text("old")
    (tmp_path / "link.md").symlink_to("target.md")
    write_atomically(
        tmp_path / "link.md", lambda temporary: temporary.write_text("new")
    )
    assert (tmp_path / "link.md").is_symlink()
    assert (tmp_path / "target.md").read_text() == "new"


def test_a_file_set_aside_keeps_its_content_under_a_name_the_warning_gives(
    tmp_path,
):
    path = tmp_path / "cache.joblib"
    path.write_bytes(b"half")
    with pytest.warns(UnreadableFileWarning) as warned:
        aside = set_aside(path, "it is cut off")
    assert aside == tmp_path / "cache.joblib.unreadable"
    assert aside.read_bytes() == b"half"
    assert not path.exists()
    assert str(warned[0].message) == (
        f"{path} could not be read (it is cut off): it is set aside as "
        "cache.joblib.unreadable and made again"
    )


def test_a_file_set_aside_never_replaces_one_set_aside_before(tmp_path):
    path = tmp_path / "cache.joblib"
    for content in (b"first", b"second"):
        path.write_bytes(content)
        with pytest.warns(UnreadableFileWarning):
            set_aside(path, "it is cut off")
    assert (tmp_path / "cache.joblib.unreadable").read_bytes() == b"first"
    assert (tmp_path / "cache.joblib.unreadable-2").read_bytes() == b"second"
