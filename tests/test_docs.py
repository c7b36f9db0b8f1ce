"""The docs' links to other projects: the local inventories cover every name
the docs and docstrings reference, at the pages those projects' sites use.

CI also builds the docs with ``-n -W``, which fails on any reference left
unresolved, the ones docstrings inherit from scikit-learn and torch included;
these tests say which name is missing without a docs build. The scripts of
docs/_plots, which turn results files into the MNIST addition page's summary
and plot when the docs are built, are checked here on small results files.
"""

import importlib.util
import json
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


def _pages_and_examples():
    """The docs' own pages and the gallery's examples (not what a build writes)."""
    for path in [*(ROOT / "docs").rglob("*.rst"), *(ROOT / "examples").glob("*.py")]:
        if not {"generated", "auto_examples"} & set(path.parts):
            yield path


#: Names the classifier split removed: the digit reader is its own estimator,
#: DigitArithmeticClassifier, and its arithmetic an object of
#: sklarith.structures.
REMOVED = re.compile(
    r"""head=["']arithmetic["']|SEED_TARGETS"""
    r"|datasets\.PAIR_TARGETS|modules\.(?:PairResults|NumberSum|DigitSum)"
)


def test_pages_and_examples_use_no_removed_names():
    found = sorted(
        f"{match.group(0)} (in {path.relative_to(ROOT)})"
        for path in _pages_and_examples()
        for match in REMOVED.finditer(path.read_text(encoding="utf-8"))
    )
    assert not found, "Removed names: " + ", ".join(found)


def test_api_reference_lists_every_public_name():
    api = (ROOT / "docs" / "api.rst").read_text(encoding="utf-8")
    listed = set(re.findall(r"^   (\w+)$", api, flags=re.MULTILINE))
    assert set(sklarith.__all__) <= listed
    assert {"PairResults", "NumberSum", "DigitSum"} <= listed
    assert ".. module:: sklarith.structures" in api


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


# The MNIST addition page sums up the results files when the docs are built:
# docs/_plots/mnist_addition_summary.py writes its table and draws its plot.

PLOTS = ROOT / "docs" / "_plots"


@pytest.fixture(scope="module")
def summary():
    spec = importlib.util.spec_from_file_location(
        "mnist_addition_summary", PLOTS / "mnist_addition_summary.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(n_digits, random_state, accuracy, **extra):
    return {
        "random_state": random_state,
        "task": "numbers",
        "n_digits": n_digits,
        "head": "arithmetic",
        "accuracy": accuracy,
        "image_accuracy": 0.99,
        "accuracy_at": {},
        "wall_seconds": 100.0,
        **extra,
    }


def _sum_run(n_terms, random_state, accuracy):
    run = _run(None, random_state, accuracy, task="digit-sums", n_terms=n_terms)
    del run["n_digits"]
    return run


def _write(folder, stem, runs, date="2026-11-29", autoencoder=None, **options):
    options = {"data": "mnist", "quick": False, "digit_init": "clusters", **options}
    results = {"runs": runs}
    if autoencoder is not None:
        results["autoencoder"] = autoencoder
    figures = {"options": options, "date": date, "results": results}
    path = folder / f"mnist-addition--{stem}.json"
    path.write_text(json.dumps(figures), encoding="utf-8")
    return path


@pytest.fixture
def results(tmp_path):
    """Results files as a series leaves them, and some the page leaves out."""
    at = {"N=15": 0.8, "N=100": 0.3}
    _write(
        tmp_path,
        "n-runs-2--n-digits-1",
        [_run(1, s, 0.98, accuracy_at=at) for s in (0, 1)],
    )
    # The same N = 100 run measured twice: the later file wins, by date.
    _write(tmp_path, "n-digits-100-later", [_run(100, 0, 0.3), _run(100, 1, 0.2)])
    _write(tmp_path, "n-digits-100", [_run(100, 0, 0.9)], date="2026-11-28")
    _write(tmp_path, "random", [_run(2, 0, 0.5)], digit_init="random")
    _write(tmp_path, "quick", [_run(2, 0, 0.5)], quick=True)
    _write(tmp_path, "digits", [_run(2, 0, 0.5)], data="digits")
    _write(
        tmp_path,
        "sums-and-mlp",
        [_run(2, 0, 0.5, head="mlp"), _sum_run(4, 0, 0.5)],
    )
    return tmp_path


STACKED = {"architecture": "stacked", "channels": [16, 32]}


def test_summary_keeps_the_runs_of_each_reader_apart_the_newest_first(summary, results):
    at = {"N=100": 0.5, "N=100, 5,000 resampled rows": 0.45}
    _write(
        results,
        "stacked",
        [_run(1, 0, 0.99, accuracy_at=at)],
        date="2026-12-07",
        autoencoder=STACKED,
    )
    readers = summary.read_readers(results)
    assert list(readers) == ["stacked 16-32", "strided 32-64-128"]
    assert sorted(readers["strided 32-64-128"]) == [1, 100]
    assert summary.read_runs(results) == {
        1: [(readers["stacked 16-32"][1][0][0], "mnist-addition--stacked.json")]
    }
    text = "\n".join(summary.summary_rst(results))
    assert "- N = 1, stacked 16-32: results/mnist-addition\\-\\-stacked.json" in text
    # The resampled rows have a table of their own, after the standard one.
    resampled = text[text.index("drawn from the test images with replacement") :]
    assert "45.00" in resampled
    assert "45.00" not in text[: text.index("drawn from the test images")]


def test_summary_keeps_one_run_per_length_and_random_state(summary, results):
    by_n = summary.read_runs(results)
    assert sorted(by_n) == [1, 100]
    assert [(run["accuracy"], name) for run, name in by_n[100]] == [
        (0.3, "mnist-addition--n-digits-100-later.json"),
        (0.2, "mnist-addition--n-digits-100-later.json"),
    ]


def test_summary_table_gives_mean_and_sample_std(summary, results):
    text = "\n".join(summary.summary_rst(results))
    # N = 100: 30 and 20 %, sample standard deviation 7.07; two runs of the
    # same accuracy spread by nothing.
    assert "25.00\u00a0± 7.07" in text
    assert "80.00\u00a0± 0.00" in text
    assert f"≥ {summary.GOALS[100]:g}" in text
    assert "DeepProofLog 37.8" in text
    assert (
        r"- N = 100, strided 32-64-128: "
        r"results/mnist-addition\-\-n-digits-100-later.json" in text
    )
    assert "n-digits-100.json" not in text


def test_summary_of_no_results_says_so(summary, tmp_path):
    assert summary.summary_rst(tmp_path) == ["No results file holds such runs yet."]


def test_published_table_lists_every_system(summary):
    text = "\n".join(summary.published_rst())
    for figures in (
        *summary.PUBLISHED.values(),
        *summary.PUBLISHED_DIGIT_SUMS.values(),
    ):
        for system, accuracy in figures.items():
            assert f"   * - {system}" in text
            assert f"     - {accuracy}" in text


@pytest.mark.parametrize("with_results", [True, False])
def test_plot_draws_whatever_results_there_are(
    summary, results, tmp_path, with_results
):
    plt = pytest.importorskip("matplotlib.pyplot")
    ax = summary.plot_accuracy(results if with_results else tmp_path / "none")
    labels = ax.get_legend_handles_labels()[1]
    assert set(summary._published_series()) <= set(labels)
    ours = [label for label in labels if label.startswith("sklarith")]
    expected = [
        "sklarith, trained and tested at N",
        "sklarith, trained at N=1, tested at N=15 and 100",
    ]
    assert ours == (expected if with_results else [])
    assert ax.get_ylim() == (0, 100)
    plt.close(ax.figure)


def test_digit_sums_are_read_by_k_apart_from_the_numbers(summary, results):
    readers = summary.read_readers(results, task="digit-sums")
    assert {
        k: [r["accuracy"] for r, _ in runs]
        for k, runs in readers["strided 32-64-128"].items()
    } == {4: [0.5]}


@pytest.mark.parametrize("with_results", [True, False])
def test_digit_sums_plot_draws_ours_beside_every_published_system(
    summary, results, tmp_path, with_results
):
    plt = pytest.importorskip("matplotlib.pyplot")
    ax = summary.plot_digit_sums(results if with_results else tmp_path / "none")
    labels = ax.get_legend_handles_labels()[1]
    published = summary._published_series(summary.PUBLISHED_DIGIT_SUMS)
    ours = ["sklarith, each training image in one row"] if with_results else []
    assert labels == [*published, *ours]
    assert ax.get_ylim() == (0, 100)
    plt.close(ax.figure)


def test_results_directives_include_what_exists_and_name_what_does_not(
    tmp_path, monkeypatch
):
    """A page names a measurement before its results file exists and shows
    the file once it does; the summary table is parsed into the page."""
    sphinx = pytest.importorskip("sphinx.application")
    source = tmp_path / "source"
    (source / "results").mkdir(parents=True)
    (source / "results" / "peer-a.rst").write_text("Peer A measured.\n")
    (source / "conf.py").write_text("extensions = ['results_directives']\n")
    monkeypatch.syspath_prepend(PLOTS)
    (source / "index.rst").write_text(
        "Page\n====\n\n"
        ".. include-results:: results/peer-a.rst\n\n   Not measured: A.\n\n"
        ".. include-results:: results/peer-b*.rst\n\n   Not measured: B.\n\n"
        ".. mnist-addition-summary::\n"
    )
    app = sphinx.Sphinx(
        source,
        source,
        tmp_path / "html",
        tmp_path / "doctrees",
        "html",
        status=None,
        warningiserror=True,
    )
    app.build()
    page = (tmp_path / "html" / "index.html").read_text(encoding="utf-8")
    assert "Peer A measured." in page
    assert "Not measured: A." not in page
    assert "Not measured: B." in page
    assert "<table" in page or "No results file holds such runs yet." in page
