"""The docs' links to other projects: the local inventories cover every name
the docs and docstrings reference, at the pages those projects' sites use.

CI also builds the docs with ``-n -W``, which fails on any reference left
unresolved, the ones docstrings inherit from scikit-learn and torch included;
these tests say which name is missing without a docs build.
"""

import importlib.util
import re
import zlib
from pathlib import Path

import pytest

import sklarith

ROOT = Path(__file__).resolve().parent.parent
INVENTORIES = ROOT / "docs" / "_inventories"
PROJECTS = ("sklearn", "torch", "torchvision", "skorch")

#: A cross-reference to one of those projects: :class:`~sklearn.x.Y`.
REFERENCE = re.compile(
    r":(?:py:)?(?:class|func|meth|obj|data|attr|mod|exc):`~?"
    rf"((?:{'|'.join(PROJECTS)})\.[\w.]+)`"
)


def _inventory(path):
    """The names of an inventory file, mapped to their URIs."""
    data = path.read_bytes()
    header_end = 0
    for _ in range(4):
        header_end = data.index(b"\n", header_end) + 1
    names = {}
    for line in zlib.decompress(data[header_end:]).decode().splitlines():
        name, _role, _priority, uri, _text = line.split(" ", 4)
        names[name] = uri
    return names


@pytest.fixture(scope="module")
def inventories():
    return {project: _inventory(INVENTORIES / f"{project}.inv") for project in PROJECTS}


def _sources():
    """The docs' pages, the examples and the library's modules."""
    yield from (ROOT / "docs").rglob("*.rst")
    yield from (ROOT / "examples").glob("*.py")
    yield from Path(sklarith.__file__).parent.rglob("*.py")


def _external_references():
    for path in _sources():
        if {"generated", "auto_examples"} & set(path.parts):
            continue
        for match in REFERENCE.finditer(path.read_text(encoding="utf-8")):
            yield match.group(1), path.relative_to(ROOT)


def test_the_docs_reference_other_projects():
    assert {name.split(".")[0] for name, _ in _external_references()} >= {
        "sklearn",
        "torch",
        "torchvision",
        "skorch",
    }


def test_inventories_cover_every_name_the_docs_reference(inventories):
    missing = sorted(
        f"{name} (in {path})"
        for name, path in _external_references()
        if name not in inventories[name.split(".")[0]]
    )
    assert not missing, (
        "Not in docs/_inventories: "
        + ", ".join(missing)
        + ". Run python docs/_inventories/make_inventories.py, or fix the name."
    )


@pytest.mark.parametrize(
    ("project", "name", "uri"),
    [
        (
            "sklearn",
            "sklearn.pipeline.Pipeline",
            "modules/generated/sklearn.pipeline.Pipeline.html"
            "#sklearn.pipeline.Pipeline",
        ),
        (
            "sklearn",
            "sklearn.utils.estimator_checks.parametrize_with_checks",
            "modules/generated/sklearn.utils.estimator_checks."
            "parametrize_with_checks.html"
            "#sklearn.utils.estimator_checks.parametrize_with_checks",
        ),
        ("sklearn", "meta-estimator", "glossary.html#term-meta-estimator"),
        ("sklearn", "random_state", "glossary.html#term-random_state"),
        (
            "torch",
            "torch.nn.Module.train",
            "generated/torch.nn.Module.html#torch.nn.Module.train",
        ),
        ("torch", "torch.Tensor", "tensors.html#torch.Tensor"),
        (
            "torch",
            "torch.utils.data.DataLoader",
            "data.html#torch.utils.data.DataLoader",
        ),
        (
            "torchvision",
            "torchvision.datasets.MNIST",
            "generated/torchvision.datasets.MNIST.html#torchvision.datasets.MNIST",
        ),
        ("skorch", "skorch.NeuralNet", "net.html#skorch.net.NeuralNet"),
        (
            "skorch",
            "skorch.callbacks.EarlyStopping",
            "callbacks.html#skorch.callbacks.EarlyStopping",
        ),
    ],
)
def test_names_link_to_the_page_their_site_documents_them_on(
    inventories, project, name, uri
):
    assert inventories[project][name] == uri


def test_the_script_writes_the_committed_links(tmp_path, inventories):
    """Written again from the installed skorch, the inventory gives every
    name it shares with the committed one the same page."""
    spec = importlib.util.spec_from_file_location(
        "make_inventories", INVENTORIES / "make_inventories.py"
    )
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    path = tmp_path / "skorch.inv"
    path.write_bytes(script.inventory_bytes("skorch", "0", script.ENTRIES["skorch"]()))
    written, committed = _inventory(path), inventories["skorch"]
    shared = written.keys() & committed.keys()
    assert "skorch.NeuralNet" in shared
    assert {name: written[name] for name in shared} == {
        name: committed[name] for name in shared
    }
