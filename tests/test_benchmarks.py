"""The benchmark scripts that run by hand: what a machine without a GPU sees,
and what they may import and name."""

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "benchmarks"

#: A path of one machine: a home, a scratch or a work folder.
MACHINE_PATH = re.compile(r"(?<![\w.~-])/(?:home|root|tmp|work|Users)/")


def test_the_gpu_check_says_there_is_nothing_to_check_without_cuda():
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / "gpu_check.py")],
        env={"CUDA_VISIBLE_DEVICES": "", "PATH": ""},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "gpu_check: CUDA is not available on this machine; nothing to check.\n"
    )


@pytest.mark.parametrize(
    "path", sorted(BENCHMARKS.glob("*.py")), ids=lambda path: path.name
)
def test_the_benchmarks_use_sklarith_through_its_public_names(path):
    private = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [(alias.name, "") for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [(node.module or "", alias.name) for alias in node.names]
        else:
            continue
        private += [
            f"{module}:{name}"
            for module, name in names
            if module.split(".")[0] == "sklarith"
            and any(part.startswith("_") for part in [*module.split("."), name])
        ]
    assert not private


def _text_files():
    """The repository's code and documents, without what git ignores: hidden
    folders (environments among them) and what builds write."""
    for folder, subfolders, files in os.walk(ROOT):
        subfolders[:] = [
            name
            for name in subfolders
            if not name.startswith(".")
            and not name.endswith(".egg-info")
            and name not in ("build", "dist", "_build", "generated", "auto_examples")
        ]
        for name in files:
            if name.endswith((".py", ".md", ".rst", ".toml")):
                yield Path(folder) / name


def test_no_file_names_a_path_of_one_machine():
    """A peer's environment lives in an ignored folder of the checkout, and
    data in scikit-learn's data home: nothing depends on where a machine
    keeps them."""
    named = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in _text_files()
        for number, line in enumerate(
            path.read_text(encoding="utf-8").splitlines(), start=1
        )
        if MACHINE_PATH.search(line)
    ]
    assert not named
