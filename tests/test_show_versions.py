"""What a user pastes into a bug report: versions, from Python and the shell."""

import pytest
import sklearn
import torch

import sklarith
from sklarith.cli import main


def test_show_versions_prints_sklarith_and_its_dependencies(capsys):
    sklarith.show_versions()
    out = capsys.readouterr().out
    assert f"sklarith: {sklarith.__version__}" in out
    assert f"scikit-learn: {sklearn.__version__}" in out
    assert f"torch: {torch.__version__.split('+')[0]}" in out
    assert f"CUDA available: {torch.cuda.is_available()}" in out


def test_the_command_line_prints_its_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out == f"sklarith {sklarith.__version__}\n"
