"""The experiment layer: shared helpers, results files, and each experiment on
tiny settings of the bundled 8x8 digits."""

import ast
import errno
import importlib.util
import inspect
import io
import json
import os
import re
import runpy
import sys
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.frozen import FrozenEstimator
from sklearn.pipeline import Pipeline

from sklarith import (
    ArithmeticMultiOutputClassifier,
    AutoencoderTransformer,
    DigitArithmeticClassifier,
    IdentityAdderClassifier,
    cli,
)
from sklarith.datasets import (
    make_addition,
    make_arithmetic_pairs,
    make_number_addition,
)
from sklarith.experiments import (
    EXPERIMENTS,
    UnreadableFileWarning,
    _common,
    adder,
    arithmetic,
    compare,
    demo,
    format_figures,
    identity_adder,
    mnist_addition,
    single_layer,
    write,
)
from sklarith.experiments import results as results_format
from sklarith.metrics import rounded_accuracy
from sklarith.structures import ARITHMETIC_TARGETS, NumberSum

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "results"


@pytest.fixture(scope="module")
def tiny():
    """Quick settings shrunk to a single epoch of everything."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(_common.QUICK, "digits", {"max_epochs": 1, "n_pairs": 1000})
        patch.setitem(
            _common.HEADLINE["digits"],
            "autoencoder",
            {**_common.HEADLINE["digits"]["autoencoder"], "max_epochs": 1},
        )
        patch.setitem(
            arithmetic.QUICK_SETTINGS,
            "digits",
            {"n_pairs": 300, "n_test_pairs": 100, "frozen": 1, "fine": 1},
        )
        patch.setattr(identity_adder, "QUICK_EPOCHS", 1)
        patch.setitem(
            identity_adder.SETTINGS,
            "digits",
            {"image_shape": (8, 8), "channels": (4, 8)},
        )
        patch.setitem(mnist_addition.QUICK_SETTINGS, "autoencoder_epochs", 1)
        patch.setitem(mnist_addition.QUICK_SETTINGS, "max_epochs", 1)
        yield


# Shared helpers ----------------------------------------------------------


def test_digits_split_holds_out_a_stratified_quarter():
    images = _common.split_digits()
    assert (len(images.train_images), len(images.test_images)) == (1347, 450)
    train_share = np.bincount(images.train_labels) / len(images.train_labels)
    test_share = np.bincount(images.test_labels) / len(images.test_labels)
    np.testing.assert_allclose(train_share, test_share, atol=0.01)
    assert images.image_shape == (8, 8)


def test_auto_falls_back_to_the_digits_in_one_line_on_stderr(monkeypatch, capsys):
    def offline(**kwargs):
        raise OSError("Could not download MNIST into /nowhere: no network")

    monkeypatch.setattr(_common, "fetch_mnist", offline)
    images = _common.load_images("auto")
    captured = capsys.readouterr()
    assert images.name == "digits"
    assert captured.out == ""
    assert captured.err == (
        "Could not download MNIST into /nowhere; using scikit-learn's embedded "
        "8x8 digits instead.\n"
    )


def test_mnist_requested_and_unavailable_raises(monkeypatch):
    def offline(**kwargs):
        raise OSError("MNIST files not found")

    monkeypatch.setattr(_common, "fetch_mnist", offline)
    with pytest.raises(OSError, match="MNIST files not found"):
        _common.load_images("mnist")


def test_mnist_is_looked_for_in_the_data_home_given(monkeypatch, tmp_path):
    looked_in = []

    def offline(*, subset, data_home):
        looked_in.append(data_home)
        raise OSError("MNIST files not found")

    monkeypatch.setattr(_common, "fetch_mnist", offline)
    with pytest.raises(OSError, match="not found"):
        _common.load_images("mnist", data_home=tmp_path)
    assert looked_in == [tmp_path]


def test_accuracy_per_output_counts_rows_right_output_by_output():
    class Fixed:
        def predict(self, X):
            return np.array([[1, 0], [1, 1], [0, 1], [1, 1]])

    Y = pd.DataFrame({"a": [1, 1, 1, 1], "b": [0, 1, 0, 0]})
    per_output, all_right = _common.accuracy_per_output(Fixed(), None, Y)
    assert per_output == {"a": 0.75, "b": 0.5}
    assert all_right == 0.5


# Results files -----------------------------------------------------------


def test_command_line_names_only_options_that_differ_from_the_defaults():
    options = results_format.options_of(
        mnist_addition.run,
        {
            "data": "mnist",
            "quick": True,
            "random_state": 0,
            "n_runs": 1,
            "tasks": ("numbers",),
            "n_digits": (15,),
            "n_terms": (4, 16, 64),
            "heads": ("arithmetic", "mlp"),
            "max_epochs": 75,
            "digit_init": "random",
            "eval_n_digits": None,
            "eval_n_terms": None,
            "eval_resampled_rows": None,
            "output": None,
        },
    )
    assert results_format.command_line(
        mnist_addition.COMMAND, mnist_addition.run, options
    ) == (
        "sklarith reproduce mnist-addition --quick --n-digits 15 "
        "--heads arithmetic mlp --max-epochs 75 --digit-init random"
    )


def test_command_line_names_the_digits_when_they_were_used():
    options = {"data": "digits", "quick": False, "random_state": 3}
    options.update(dict.fromkeys(["n_pairs", "max_epochs"]))
    options.update(n_test_pairs=10_000, n_examples=6)
    assert results_format.command_line(demo.COMMAND, demo.run, options) == (
        "sklarith demo --data digits --random-state 3"
    )


@pytest.mark.parametrize(
    ("command", "stem"),
    [
        ("sklarith demo --data digits", "demo--data-digits"),
        ("sklarith reproduce arithmetic --fine-tune", "arithmetic--fine-tune"),
        ("sklarith reproduce adder", "adder"),
        ("python benchmarks/speed.py --only pca", "speed--only-pca"),
    ],
)
def test_results_files_are_named_after_the_command(command, stem):
    assert results_format.stem(command) == stem


def test_markdown_table_pads_columns_and_aligns_numbers_right():
    table = results_format.markdown_table(["output", "accuracy"], [["sum", "9.5"]])
    assert table.splitlines() == [
        "| output | accuracy |",
        "| ------ | -------: |",
        "| sum    |      9.5 |",
    ]


def test_a_mean_over_runs_comes_with_their_sample_standard_deviation():
    assert results_format.mean_std([0.94, 0.96], 100) == "95.00 ± 1.41"


def test_one_run_or_no_spread_gives_the_mean_alone_and_no_run_an_empty_cell():
    assert results_format.mean_std([0.95, None], 100) == "95.00"
    assert results_format.mean_std([0.94, 0.96], 100, spread=False) == "95.00"
    assert results_format.mean_std([None]) == ""


def test_rst_of_a_results_file_is_valid_and_keeps_every_cell():
    docutils_core = pytest.importorskip("docutils.core")
    markdown = (
        "Caption with `code`.\n\n| a | b |\n|---|--:|\n| **1** | `x` |\n| 2 | |\n\n"
        "```text\n7 + 5 = 12 ✓\n```\n\n- command: `sklarith demo`\n"
    )
    rst = results_format.to_rst(markdown)
    assert "Caption with ``code``." in rst
    assert "   * - **1**\n     - ``x``" in rst
    assert ".. code-block:: text\n\n   7 + 5 = 12 ✓" in rst
    document = docutils_core.publish_doctree(
        rst.replace(".. code-block:: text", "::"),
        settings_overrides={"report_level": 2, "halt_level": 2},
    )
    assert document.astext().count("7 + 5 = 12") == 1


def test_written_results_read_back_as_the_same_figures(tmp_path):
    figures = results_format.Figures(
        "single-layer",
        "sklarith reproduce single-layer --data digits",
        {"data": "digits", "quick": False, "random_state": 0},
        {
            "n_test_images": 450,
            "checkpoints": [0, 10],
            "accuracy": {"delta rule": [0.1, 0.5], "softmax": [0.1, 0.6]},
        },
    )
    paths = write(figures, tmp_path)
    assert [p.name for p in paths] == [
        "single-layer--data-digits.json",
        "single-layer--data-digits.md",
        "single-layer--data-digits.rst",
    ]
    assert results_format.read_figures(paths[0]) == figures
    markdown = paths[1].read_text(encoding="utf-8")
    row = next(line for line in markdown.splitlines() if line.startswith("| 10 "))
    assert [cell.strip() for cell in row.split("|")[1:-1]] == ["10", "50.00", "60.00"]
    assert "- command: `sklarith reproduce single-layer --data digits`" in markdown


def test_an_interrupted_write_leaves_the_previous_results_file_whole(
    tmp_path, monkeypatch
):
    figures = results_format.Figures(
        "single-layer",
        "sklarith reproduce single-layer",
        {"data": "digits"},
        {
            "n_test_images": 450,
            "checkpoints": [0, 10],
            "accuracy": {"delta rule": [0.1, 0.5], "softmax": [0.1, 0.6]},
        },
        model={"weights": [1, 2, 3]},
    )
    paths = write(figures, tmp_path)
    before = {path.name: path.read_bytes() for path in paths}

    def interrupted_dump(value, filename):
        Path(filename).write_bytes(b"half a mod")
        raise KeyboardInterrupt

    monkeypatch.setattr(results_format.joblib, "dump", interrupted_dump)
    with pytest.raises(KeyboardInterrupt):
        write(figures, tmp_path)
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir()} == before


def test_the_model_is_saved_beside_the_results_file_not_in_it(tmp_path):
    figures = results_format.Figures(
        "single-layer",
        "sklarith reproduce single-layer",
        {"data": "digits"},
        {
            "n_test_images": 1,
            "checkpoints": [0],
            "accuracy": {"delta rule": [0.5], "softmax": [0.25]},
        },
        model={"a model": [1, 2]},
    )
    paths = write(figures, tmp_path)
    assert [p.name for p in paths][-1] == "single-layer.joblib"
    assert joblib.load(paths[-1]) == {"a model": [1, 2]}
    assert "model" not in json.loads(paths[0].read_text())
    assert results_format.read_figures(paths[0]).model is None


def test_where_and_how_verbosely_a_run_ran_is_not_recorded():
    options = results_format.options_of(
        demo.run,
        {
            **{
                name: p.default
                for name, p in inspect.signature(demo.run).parameters.items()
            },
            "device": "cuda:1",
            "data_home": "/data",
            "verbose": 2,
        },
    )
    assert not {"device", "data_home", "verbose"} & set(options)
    assert (
        results_format.command_line(demo.COMMAND, demo.run, options) == "sklarith demo"
    )


def test_refreshing_quotes_copies_the_current_results_file(tmp_path):
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "adder.md").write_text("new table\n")
    readme = tmp_path / "README.md"
    readme.write_text(
        "Intro\n<!-- quote results/adder.md -->\nold table\n<!-- end quote -->\nEnd\n"
    )
    assert results_format.refresh_quotes(readme) == ["results/adder.md"]
    assert readme.read_text() == (
        "Intro\n<!-- quote results/adder.md -->\nnew table\n<!-- end quote -->\nEnd\n"
    )
    assert results_format.refresh_quotes(readme) == []


@pytest.mark.parametrize("missing", ["results", "README.md"])
def test_rendering_again_refuses_a_missing_path_before_writing(
    missing, tmp_path, monkeypatch, capsys
):
    (tmp_path / "results").mkdir()
    (tmp_path / "README.md").write_text("")
    paths = {"results": tmp_path / "results", "README.md": tmp_path / "README.md"}
    paths[missing] = tmp_path / "missing"
    argv = ["python -m sklarith.experiments", *map(str, paths.values())]
    monkeypatch.setattr("sys.argv", argv)
    with pytest.raises(SystemExit) as exit_:
        runpy.run_module("sklarith.experiments", run_name="__main__")
    assert exit_.value.code == 2
    assert f"{tmp_path / 'missing'} is not a" in capsys.readouterr().err


@pytest.mark.parametrize("path", sorted(RESULTS.glob("*.json")), ids=lambda p: p.stem)
def test_each_results_file_renders_to_its_markdown_and_rst(path):
    figures = results_format.read_figures(path)
    assert results_format.stem(figures.command) == path.stem or figures.note
    markdown = results_format.to_markdown(figures, format_figures(figures))
    assert path.with_suffix(".md").read_text(encoding="utf-8") == markdown
    assert path.with_suffix(".rst").read_text(
        encoding="utf-8"
    ) == results_format.to_rst(markdown)


def test_readme_quotes_the_results_files_as_they_are():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quotes = results_format.quoted_files(readme)
    assert quotes, "README.md quotes no results file"
    for path, body in quotes.items():
        assert (ROOT / path).read_text(encoding="utf-8") == body, path


# The experiments, on tiny settings ----------------------------------------


def test_every_experiment_has_the_same_shape():
    for module in EXPERIMENTS:
        assert module.COMMAND.startswith("sklarith ")
        parameters = list(inspect.signature(module.run).parameters)
        assert {"quick", "random_state", "verbose"} <= set(parameters), module
        assert set(parameters) - set(module.OPTIONS) <= {
            "data",
            "data_home",
            "device",
            "quick",
            "random_state",
            "verbose",
            "output",
        }
        assert callable(module.format_table)


def _sklarith_imports(path):
    """The sklarith modules that ``path`` imports, and the names it takes."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                module = importlib.util.resolve_name(
                    "." * node.level + module, package
                ).rstrip(".")
            for alias in node.names:
                yield module, alias.name


@pytest.mark.parametrize(
    "path",
    sorted((ROOT / "sklarith" / "experiments").glob("*.py")),
    ids=lambda path: path.name,
)
def test_the_experiments_use_the_library_through_its_public_names(path):
    """As a user's script would: the experiments are a client of sklarith."""
    private = [
        f"{module}.{name}" if name else module
        for module, name in _sklarith_imports(path)
        if module.split(".")[0] == "sklarith"
        and not module.startswith("sklarith.experiments")
        and any(part.startswith("_") for part in [*module.split("."), name or ""])
    ]
    assert not private


@pytest.fixture(scope="module")
def demo_run(tiny):
    return demo.run(
        data="digits", quick=True, verbose=0, n_test_pairs=300, n_examples=4
    )


def test_demo_records_the_command_that_repeats_it(demo_run):
    assert demo_run.command == (
        "sklarith demo --data digits --quick --n-test-pairs 300 --n-examples 4"
    )
    assert demo_run.results["n_pairs"] == 1000


def test_demo_model_is_the_fitted_pipeline_that_predicts_the_examples(demo_run):
    images = _common.split_digits()
    _, _, pairs = make_arithmetic_pairs(
        images.test_images,
        images.test_labels,
        n_pairs=300,
        random_state=1,
        return_indices=True,
    )
    X = images.test_images[pairs[:4]].reshape(4, -1)
    predicted = demo_run.model.predict(X)
    assert [list(row) for row in predicted] == [
        example["predicted"] for example in demo_run.results["examples"]
    ]


@pytest.mark.parametrize("module", [demo, compare], ids=["demo", "compare"])
def test_quick_trains_the_autoencoder_of_a_full_run(module, monkeypatch):
    # Cutting the autoencoder's epochs changed the story: its codes ranked
    # below PCA's and raw pixels' on the digits. Quick cuts pairs and
    # classifier epochs only.
    monkeypatch.setitem(_common.QUICK, "digits", {"max_epochs": 1, "n_pairs": 200})
    autoencoder = {**_common.HEADLINE["digits"]["autoencoder"], "max_epochs": 2}
    monkeypatch.setitem(_common.HEADLINE["digits"], "autoencoder", autoencoder)
    figures = module.run(data="digits", quick=True, verbose=0, n_test_pairs=20)
    model = figures.model if module is demo else figures.model["autoencoder"]
    encoder = model["enc"] if module is demo else model["enc"].estimator
    assert encoder.get_params() | autoencoder == encoder.get_params()
    assert len(encoder.history_) == 2


def test_demo_examples_are_the_test_pairs_with_their_true_results(demo_run):
    for example in demo_run.results["examples"]:
        a, b = example["digits"]
        assert example["expected"] == [
            (a + b) % 10,
            (a + b) // 10,
            (a * b) % 10,
            (a * b) // 10,
            int(a > b),
        ]


def test_demo_chance_is_the_share_of_the_most_frequent_answer(demo_run):
    images = _common.split_digits()
    _, Y = make_arithmetic_pairs(
        images.test_images, images.test_labels, n_pairs=300, random_state=1
    )
    assert demo_run.results["chance"]["greater"] == pytest.approx(
        max(Y["greater"].mean(), 1 - Y["greater"].mean())
    )


def test_demo_table_has_a_row_per_output_and_marks_wrong_results(demo_run):
    text = demo.format_table(demo_run)
    rows = [line.split("|")[1].strip() for line in text.splitlines() if "%" in line]
    assert rows == [*ARITHMETIC_TARGETS, "all five"]
    line = demo.worked_example([7, 5], [3, 1, 5, 3, 0], [2, 1, 5, 3, 1])
    assert line == "7 + 5 = 13 ✗   7 × 5 = 35 ✓   7 ≤ 5 ✗"


def test_demo_shows_no_worked_example_when_asked_for_none(tiny):
    figures = demo.run(
        data="digits", quick=True, verbose=0, n_test_pairs=50, n_examples=0
    )
    assert figures.results["examples"] == []
    assert "Worked examples" not in demo.format_table(figures)


@pytest.mark.parametrize(
    ("module", "zero"),
    [
        pytest.param(demo, {"n_pairs": 0}, id="demo-n_pairs"),
        pytest.param(demo, {"max_epochs": 0}, id="demo-max_epochs"),
        pytest.param(compare, {"n_pairs": 0}, id="compare-n_pairs"),
        pytest.param(arithmetic, {"n_pairs": 0}, id="arithmetic-n_pairs"),
        pytest.param(identity_adder, {"max_epochs": 0}, id="identity-adder-max_epochs"),
        pytest.param(
            adder,
            {"n_samples": 0, "hidden_sizes": (2,), "max_sums": (16,)},
            id="adder-n_samples",
        ),
        pytest.param(
            mnist_addition,
            {"max_epochs": 0, "n_digits": (4,), "heads": ("mlp",)},
            id="mnist-addition-max_epochs",
        ),
    ],
)
def test_a_count_of_zero_is_refused_not_replaced_by_the_default(tiny, module, zero):
    data = {} if module is adder else {"data": "digits"}
    with pytest.raises(ValueError, match="Got 0 instead"):
        module.run(**data, quick=True, verbose=0, **zero)


def _minimum_of_every_count(module):
    """The smallest value of each count the command line lets through."""
    values = {}
    for name, spec in module.OPTIONS.items():
        if spec.get("type") is int:
            minimum = spec["minimum"]
            values[name] = [minimum] if spec.get("nargs") else minimum
    return values


@pytest.mark.parametrize(
    "module",
    [module for module in EXPERIMENTS if _minimum_of_every_count(module)],
    ids=lambda module: module.COMMAND.split()[-1],
)
def test_the_smallest_counts_the_command_line_accepts_make_a_run(tiny, module):
    data = (
        {"data": "digits"} if "data" in inspect.signature(module.run).parameters else {}
    )
    figures = module.run(
        **data, quick=True, verbose=0, **_minimum_of_every_count(module)
    )
    assert figures.results


@pytest.mark.skipif(
    not os.environ.get("SKLARITH_SLOW_TESTS"),
    reason="about 80 s on two cores; set SKLARITH_SLOW_TESTS=1 to run it",
)
def test_quick_compare_ranks_the_encoders_as_the_full_run_does():
    # The full run on the digits (random state 0, 10,000 test pairs): all
    # five right 89.55 % from the autoencoder's codes, 87.58 % from PCA's.
    # Quick, when it cut the autoencoder's epochs, put its codes last.
    figures = compare.run(data="digits", quick=True, verbose=0, n_test_pairs=10_000)
    all_right = {row["features"]: row["all_right"] for row in figures.results["rows"]}
    assert all_right["autoencoder"] > all_right["PCA"]


def test_compare_measures_codes_of_the_same_size_and_raw_pixels(tiny):
    features = compare.compared_features("digits")
    assert features["PCA"].n_components == features["autoencoder"].n_components
    assert features["PCA"].image_shape == features["autoencoder"].image_shape
    figures = compare.run(data="digits", quick=True, verbose=0, n_test_pairs=200)
    autoencoder, pca, raw = figures.results["rows"]
    assert [autoencoder["features"], pca["features"], raw["features"]] == [
        "autoencoder",
        "PCA",
        "raw pixels",
    ]
    for row in (autoencoder, pca):
        assert 0 < row["mse"] < row["bce"]
        assert row["fit_seconds"] > 0
    assert raw["bce"] is raw["mse"] is raw["fit_seconds"] is None
    assert list(raw["accuracy"]) == list(ARITHMETIC_TARGETS)
    table = compare.format_table(figures).splitlines()
    bce = next(line for line in table if line.startswith("| reconstruction BCE"))
    assert [cell.strip() for cell in bce.split("|")[2:-1]][2] == "—"
    assert list(figures.model) == ["autoencoder", "PCA", "raw pixels"]
    images = _common.split_digits()
    X, Y = make_arithmetic_pairs(
        images.test_images, images.test_labels, n_pairs=200, random_state=1
    )
    for row in figures.results["rows"]:
        per_output, _ = _common.accuracy_per_output(
            figures.model[row["features"]], X, Y
        )
        assert per_output == row["accuracy"]


@pytest.fixture(scope="module")
def encoder_and_pairs():
    """A fitted autoencoder, training pairs and test images of the digits."""
    images = _common.split_digits()
    autoencoder = _common.headline_autoencoder("digits")
    autoencoder.set_params(max_epochs=1, n_components=8)
    autoencoder.fit(images.train_images)
    X, Y = make_arithmetic_pairs(
        images.train_images, images.train_labels, n_pairs=300, random_state=0
    )
    return autoencoder, X, Y, images.test_images


def test_frozen_arithmetic_classifier_keeps_the_fitted_encoder(encoder_and_pairs):
    autoencoder, X, Y, test_images = encoder_and_pairs
    codes = autoencoder.transform(test_images)
    model = arithmetic.build_classifier(
        autoencoder, fine_tune=False, max_epochs=1, random_state=0, verbose=0
    ).fit(X, Y)
    assert isinstance(model, Pipeline)
    assert isinstance(model["enc"], FrozenEstimator)
    np.testing.assert_array_equal(autoencoder.transform(test_images), codes)


def test_fine_tuning_trains_a_copy_of_the_encoder_with_the_heads(encoder_and_pairs):
    autoencoder, X, Y, test_images = encoder_and_pairs
    codes = autoencoder.transform(test_images)
    model = arithmetic.build_classifier(
        autoencoder, fine_tune=True, max_epochs=1, random_state=0, verbose=0
    ).fit(X, Y)
    assert isinstance(model, ArithmeticMultiOutputClassifier)
    trained = model.net_.module_.encoder.state_dict()
    original = autoencoder.torch_encoder().state_dict()
    assert trained.keys() == original.keys()
    assert any(not torch.equal(trained[k], original[k]) for k in trained)
    np.testing.assert_array_equal(autoencoder.transform(test_images), codes)


def test_arithmetic_table_sets_the_posts_row_above_the_run_on_mnist():
    figures = results_format.read_figures(RESULTS / "arithmetic.json")
    rows = [
        [cell.strip() for cell in line.split("|")[1:-1]]
        for line in arithmetic.format_table(figures).splitlines()
        if "|" in line
    ]
    assert rows[2][:2] == ["the post (Keras, frozen encoder)", "95.4"]
    assert rows[3][:2] == ["sklarith, frozen encoder, 3 epochs", "96.60"]
    figures.options["data"] = "digits"
    assert "the post" not in arithmetic.format_table(figures)


def test_arithmetic_run_records_the_fine_tuned_variant(tiny):
    figures = arithmetic.run(data="digits", quick=True, verbose=0, fine_tune=True)
    assert figures.command == (
        "sklarith reproduce arithmetic --data digits --quick --fine-tune"
    )
    assert figures.results["max_epochs"] == 1
    assert "sklarith, fine-tuned encoder, 1 epoch |" in arithmetic.format_table(figures)
    assert isinstance(figures.model, ArithmeticMultiOutputClassifier)
    assert figures.model.encoder is not None


def test_arithmetic_head_reads_digits_on_the_digit_readers_encoder(tiny):
    figures = arithmetic.run(
        data="digits", quick=True, verbose=0, fine_tune=True, head="arithmetic"
    )
    assert figures.command == (
        "sklarith reproduce arithmetic --data digits --quick --fine-tune "
        "--head arithmetic"
    )
    model = figures.model
    assert isinstance(model, DigitArithmeticClassifier)
    assert model.encoder_.architecture == _common.READER["architecture"]
    assert "sklarith, digit reader, fine-tuned encoder" in arithmetic.format_table(
        figures
    )


def test_identity_adder_holds_out_a_fifth_and_tests_every_test_image(tiny):
    figures = identity_adder.run(data="digits", quick=True, verbose=0)
    results = figures.results
    assert (results["n_rows"], results["n_held_out"], results["n_test"]) == (
        1347,
        270,
        450,
    )
    assert results["epochs"] == 1
    assert set(results["test"]) == {"digit", "sum", "both"}
    rows = [
        line
        for line in identity_adder.format_table(figures).splitlines()
        if "|" in line
    ]
    assert [row.split("|")[1].strip() for row in rows[2:]] == [
        "sklarith, the 270 held-out images",
        "sklarith, the 450 test images",
    ]
    assert isinstance(figures.model, IdentityAdderClassifier)
    assert len(figures.model.history_) == 1


def test_identity_adder_table_puts_the_posts_rows_first_on_mnist():
    figures = results_format.read_figures(RESULTS / "identity-adder.json")
    rows = [
        line
        for line in identity_adder.format_table(figures).splitlines()
        if "|" in line
    ]
    assert [row.split("|")[1].strip() for row in rows[2:]] == [
        "the post, its 12,000 held-out images",
        "the post, its 10,000 test images",
        "sklarith, the 12,000 held-out images",
        "sklarith, the 10,000 test images",
    ]


@pytest.fixture(scope="module")
def adder_run():
    return adder.run(
        quick=True,
        verbose=0,
        hidden_sizes=(2, 8),
        max_sums=(16,),
        n_samples=200,
        n_test_samples=100,
    )


def test_adder_table_has_three_models_per_hidden_size(adder_run):
    rows = [line for line in adder.format_table(adder_run).splitlines() if "|" in line]
    models = [[cell.strip() for cell in row.split("|")[1:3]] for row in rows[2:]]
    assert models == [
        [str(size), f"`{label}`"] for size in (2, 8) for label in adder.MODELS
    ]


def test_adder_default_recipe_adds_every_held_out_sum(adder_run):
    for cell in adder_run.results["cells"]:
        if cell["model"] == "MLPAdderRegressor()":
            assert cell["accuracy"] == 1.0


def test_adder_models_are_those_of_the_table_by_hidden_size_range_and_label(
    adder_run,
):
    assert list(adder_run.model) == [
        (cell["hidden_size"], cell["max_sum"], cell["model"])
        for cell in adder_run.results["cells"]
    ]
    X, y = make_addition(100, max_sum=16, random_state=1)
    for cell in adder_run.results["cells"]:
        model = adder_run.model[cell["hidden_size"], cell["max_sum"], cell["model"]]
        assert rounded_accuracy(y, model.predict(X)) == cell["accuracy"]


def test_adder_command_names_the_changed_grid(adder_run):
    assert adder_run.command == (
        "sklarith reproduce adder --quick --hidden-sizes 2 8 --max-sums 16 "
        "--n-samples 200 --n-test-samples 100"
    )


def test_mnist_addition_uses_each_image_once_per_n(tiny):
    figures = mnist_addition.run(
        data="digits", quick=True, verbose=0, n_digits=(1, 2), heads=("mlp",)
    )
    runs = figures.results["runs"]
    assert [(r["n_digits"], r["head"], r["n_rows"]) for r in runs] == [
        (1, "mlp", 673),
        (2, "mlp", 336),
    ]
    assert "published" not in mnist_addition.format_table(figures)
    assert list(figures.model) == [(0, "numbers", 1, "mlp"), (0, "numbers", 2, "mlp")]


def test_mnist_addition_refuses_an_n_too_large_before_any_training(monkeypatch):
    def untrained(**params):
        raise AssertionError("the autoencoder was trained before the check")

    monkeypatch.setattr(mnist_addition, "AutoencoderTransformer", untrained)
    # 450 test images of the digits make no row of 2 x 226 images.
    with pytest.raises(ValueError, match="226-digit addition needs at least 452"):
        mnist_addition.run(data="digits", verbose=0, n_digits=(1, 226))


def _mnist_addition_figures(runs, data="mnist"):
    return results_format.Figures(
        "mnist-addition",
        "sklarith reproduce mnist-addition --n-runs 2 --n-digits 4",
        {"data": data},
        {"max_epochs": 25, "runs": runs},
    )


def _measured_run(random_state, accuracy, **changes):
    """One run of the numbers task at N = 4 as the results file holds it."""
    return {
        "random_state": random_state,
        "n_rows": 7500,
        "task": "numbers",
        "n_digits": 4,
        "head": "arithmetic",
        "n_test_rows": 1250,
        "accuracy": accuracy,
        "sum_digit_accuracy": [0.99] * 5,
        "digit_accuracy": 0.99,
        "image_accuracy": 0.995,
        "accuracy_at": {"N=15": accuracy - 0.2},
        "seconds": 100.0,
        "pretraining_seconds": 500.0,
        "wall_seconds": 100.0 + 20 * random_state,
        **changes,
    }


def _row_cells(text, first):
    row = next(line for line in text.splitlines() if line.startswith(f"| {first} "))
    return [cell.strip() for cell in row.split("|")[1:-1]]


def test_mnist_addition_table_gives_mean_and_sample_standard_deviation_over_runs():
    figures = _mnist_addition_figures([_measured_run(0, 0.94), _measured_run(1, 0.96)])
    text = mnist_addition.format_table(figures)
    assert _row_cells(text, 4) == [
        "4",
        "arithmetic",
        "2",
        "7,500",
        "95.00 ± 1.41",
        "99.00",
        "99.50",
        "75.00 ± 1.41",
        "A-NeSI 92.56, DeepStochLog 92.7, DeepProofLog 94.0",
        "110 s",
    ]
    assert "mean ± std over the runs" in text
    assert " at N=15 " in text
    assert "the pre-training took 500 s" in text


def test_mnist_addition_table_has_a_table_per_task_with_its_published_figures():
    sums = _measured_run(0, 0.8, task="digit-sums", n_terms=16, accuracy_at={})
    del sums["n_digits"]
    text = mnist_addition.format_table(
        _mnist_addition_figures([_measured_run(0, 0.9), sums])
    )
    assert "Two numbers of N digits" in text
    assert "Rows of k single digits" in text
    assert _row_cells(text, 16)[-2] == "CTSketch/ISED 83.84"


def test_mnist_addition_table_lists_the_lengths_from_short_to_long():
    # A resumed series may rerun N = 2 after N = 4 has landed.
    runs = [_measured_run(0, 0.9), _measured_run(0, 0.95, n_digits=2)]
    lengths = [
        line.split("|")[1].strip()
        for line in mnist_addition.format_table(
            _mnist_addition_figures(runs)
        ).splitlines()
        if line.startswith(("| 2 ", "| 4 "))
    ]
    assert lengths == ["2", "4"]


def test_mnist_addition_table_reads_results_files_written_before_the_tasks():
    # Results files of earlier versions: no task, no digits of the images,
    # the fine-tuning time only, the pre-training in the results.
    old = {
        key: value
        for key, value in _measured_run(0, 0.94).items()
        if key in {"random_state", "n_digits", "head", "n_rows", "accuracy", "seconds"}
    }
    figures = _mnist_addition_figures([{**old, "digit_accuracy": None}])
    figures.results["pretraining_seconds"] = [540.0]
    text = mnist_addition.format_table(figures)
    assert _row_cells(text, 4)[:5] == ["4", "arithmetic", "1", "7,500", "94.00"]
    assert "fine-tuning time" in text
    assert "time per run" not in text
    assert "shared by the runs of a random state, took 540 s" in text


@pytest.mark.parametrize(("n_digits", "rows"), [(1, 256), (2, 128), (4, 64), (15, 17)])
def test_mnist_addition_batches_hold_about_512_images_whatever_n(n_digits, rows):
    assert mnist_addition.batch_size_for(n_digits) == rows


def test_single_layer_network_learns_from_the_images_it_sees():
    figures = single_layer.run(data="digits", verbose=0)
    results = figures.results
    assert results["checkpoints"] == single_layer.DIGITS_CHECKPOINTS
    for accuracy in results["accuracy"].values():
        assert accuracy[-1] > accuracy[0] + 0.5
    assert "the post" not in single_layer.format_table(figures)


def test_results_json_is_plain_json(tmp_path, adder_run):
    path = write(adder_run, tmp_path)[0]
    assert json.loads(path.read_text())["results"]["cells"][0]["model"] == (
        'MLPAdderRegressor(recipe="keras")'
    )


def test_mnist_addition_scores_a_model_at_other_lengths_from_the_digits_it_reads(
    tiny,
):
    figures = mnist_addition.run(
        data="digits", quick=True, verbose=0, n_digits=(1,), eval_n_digits=(3,)
    )
    (measured,) = figures.results["runs"]
    model = figures.model[0, "numbers", 1, "arithmetic"]
    images = _common.split_digits()
    X, Y = make_number_addition(
        images.test_images, images.test_labels, n_digits=3, random_state=1
    )
    digits = model.predict_digits(X)
    # The sums of the numbers the digits read make, in Python's integers.
    predicted = [
        int("".join(map(str, row[:3]))) + int("".join(map(str, row[3:])))
        for row in digits
    ]
    true = [int("".join(map(str, row))) for row in Y.to_numpy()]
    assert measured["accuracy_at"] == {"N=3": np.mean(np.equal(predicted, true))}
    assert 0 <= measured["image_accuracy"] <= 1


def test_mnist_addition_scores_resampled_rows_from_the_digits_read_per_image(tiny):
    """Rows drawn with replacement from the test images, scored in a column of
    their own from the digit the network reads for each test image."""
    figures = mnist_addition.run(
        data="digits",
        quick=True,
        verbose=0,
        n_digits=(1,),
        eval_n_digits=(3,),
        eval_resampled_rows=400,
    )
    (measured,) = figures.results["runs"]
    model = figures.model[0, "numbers", 1, "arithmetic"]
    images = _common.split_digits()
    # The test images two by two, as the model reads them, the last beside
    # the first when their number is odd.
    test = images.test_images
    padded = np.concatenate([test, test[: len(test) % 2]])
    read = model.predict_digits(padded.reshape(-1, 2 * test.shape[1]))
    read = read.reshape(-1)[: len(test)]
    rows = np.random.RandomState(2).randint(len(images.test_labels), size=(400, 6))
    structure = NumberSum(3)
    right = np.all(
        structure.results(read[rows]) == structure.results(images.test_labels[rows]),
        axis=1,
    )
    assert set(measured["accuracy_at"]) == {"N=3", "N=3, 400 resampled rows"}
    assert measured["accuracy_at"]["N=3, 400 resampled rows"] == right.mean()
    assert "resampled rows" in mnist_addition.format_table(figures)


def test_mnist_addition_resamples_only_lengths_it_evaluates():
    with pytest.raises(ValueError, match="name at least one of them"):
        mnist_addition.run(data="digits", eval_resampled_rows=100)


def test_mnist_addition_learns_sums_of_k_digits_with_the_same_head(tiny):
    figures = mnist_addition.run(
        data="digits",
        quick=True,
        verbose=0,
        tasks=("digit-sums",),
        n_terms=(4,),
        heads=("arithmetic", "mlp"),
    )
    runs = figures.results["runs"]
    assert [(r["task"], r["n_terms"], r["head"], r["n_rows"]) for r in runs] == [
        ("digit-sums", 4, "arithmetic", 336),
        ("digit-sums", 4, "mlp", 336),
    ]
    assert "| k " in mnist_addition.format_table(figures)


def test_mnist_addition_scores_other_lengths_with_the_arithmetic_head_only():
    with pytest.raises(ValueError, match="add arithmetic to --heads"):
        mnist_addition.run(data="digits", heads=("mlp",), eval_n_digits=(15,))


def test_mnist_addition_wall_time_adds_a_share_of_the_pre_training(tiny):
    figures = mnist_addition.run(
        data="digits", quick=True, verbose=0, n_digits=(1, 2), heads=("mlp",)
    )
    for measured in figures.results["runs"]:
        share = measured["pretraining_seconds"] / 2
        assert measured["wall_seconds"] >= measured["seconds"] + share


def test_an_interrupted_mnist_addition_series_resumes_where_it_stopped(
    tiny, tmp_path, monkeypatch
):
    fits = {"classifier": 0, "autoencoder": 0}
    fit_classifier = DigitArithmeticClassifier.fit
    fit_autoencoder = AutoencoderTransformer.fit
    interrupt_at = [2]

    def counted_classifier_fit(self, X, y):
        fits["classifier"] += 1
        if fits["classifier"] == interrupt_at[0]:
            raise KeyboardInterrupt
        return fit_classifier(self, X, y)

    def counted_autoencoder_fit(self, X, y=None):
        fits["autoencoder"] += 1
        return fit_autoencoder(self, X, y)

    monkeypatch.setattr(DigitArithmeticClassifier, "fit", counted_classifier_fit)
    monkeypatch.setattr(AutoencoderTransformer, "fit", counted_autoencoder_fit)
    argv = ["reproduce", "mnist-addition", "--data", "digits", "--quick"]
    argv += ["--n-digits", "1", "2", "--verbose", "0", "--output", str(tmp_path)]
    results = tmp_path / "mnist-addition--data-digits--quick--n-digits-1-2.json"

    with pytest.raises(SystemExit) as exit_:
        cli.main(argv)
    assert exit_.value.code == 130
    # The run that ended is in the file; the one in progress is lost.
    runs = json.loads(results.read_text())["results"]["runs"]
    assert [r["n_digits"] for r in runs] == [1]
    assert fits == {"classifier": 2, "autoencoder": 1}

    interrupt_at[0] = None
    cli.main(argv)
    runs = json.loads(results.read_text())["results"]["runs"]
    assert [r["n_digits"] for r in runs] == [1, 2]
    # Only the missing run trained, on the autoencoder kept on disk.
    assert fits == {"classifier": 3, "autoencoder": 1}
    assert list(joblib.load(results.with_suffix(".joblib"))) == [
        (0, "numbers", 2, "arithmetic")
    ]


AUTOENCODER_CACHE = (
    "mnist-addition-autoencoder--data-digits--quick--random-state-0.joblib"
)


@pytest.fixture
def small_mnist_addition(tiny, monkeypatch):
    """The quick series with networks of a few units: a run in seconds."""
    autoencoder = mnist_addition.AUTOENCODER_SETTINGS
    monkeypatch.setitem(autoencoder, "channels", (4, 8))
    monkeypatch.setitem(autoencoder, "n_components", 8)
    classifier = mnist_addition.CLASSIFIER_SETTINGS
    monkeypatch.setitem(classifier, "hidden_layer_sizes", (16,))


def test_a_series_sets_an_empty_autoencoder_cache_aside_and_completes(
    small_mnist_addition, tmp_path, capsys
):
    # What a save stopped by kill -9 or Ctrl-C used to leave.
    cache = tmp_path / AUTOENCODER_CACHE
    cache.write_bytes(b"")
    argv = ["reproduce", "mnist-addition", "--data", "digits", "--quick"]
    cli.main([*argv, "--n-digits", "1", "--verbose", "0", "--output", str(tmp_path)])
    assert capsys.readouterr().err == (
        f"sklarith: warning: {cache} could not be read (it is empty): it is set "
        f"aside as {cache.name}.unreadable and made again\n"
    )
    assert (tmp_path / f"{cache.name}.unreadable").read_bytes() == b""
    assert isinstance(joblib.load(cache)["autoencoder"], AutoencoderTransformer)
    results = tmp_path / "mnist-addition--data-digits--quick--n-digits-1.json"
    assert len(json.loads(results.read_text())["results"]["runs"]) == 1


#: The settings of a kept autoencoder, for the tests of the cache alone.
KEPT_PARAMS = {"n_components": 3}


def _joblib_bytes(value):
    buffer = io.BytesIO()
    joblib.dump(value, buffer)
    return buffer.getvalue()


def _cut_off_cache():
    kept = {
        "params": KEPT_PARAMS,
        "seconds": 1.0,
        "autoencoder": AutoencoderTransformer(),
    }
    whole = _joblib_bytes(kept)
    return whole[: len(whole) // 2]


UNREADABLE_CACHES = {
    "cut off": _cut_off_cache,
    "other keys": lambda: _joblib_bytes({"model": AutoencoderTransformer()}),
    "not a joblib file": lambda: b"<html>",
}


@pytest.mark.parametrize("kind", UNREADABLE_CACHES)
def test_an_unreadable_autoencoder_cache_is_set_aside_and_trained_again(kind, tmp_path):
    cache = tmp_path / "autoencoder.joblib"
    content = UNREADABLE_CACHES[kind]()
    cache.write_bytes(content)
    with pytest.warns(UnreadableFileWarning, match=re.escape(f"{cache} could not")):
        autoencoder, _ = mnist_addition._pretrained_autoencoder(
            KEPT_PARAMS, cache, lambda: AutoencoderTransformer(n_components=3)
        )
    assert autoencoder.n_components == 3
    assert (tmp_path / "autoencoder.joblib.unreadable").read_bytes() == content
    assert joblib.load(cache)["autoencoder"].n_components == 3


def test_a_full_disk_while_keeping_the_autoencoder_names_the_cache(
    tmp_path, monkeypatch
):
    def full_disk(value, filename):
        Path(filename).write_bytes(b"half an autoencoder")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(joblib, "dump", full_disk)
    cache = tmp_path / "autoencoder.joblib"
    with pytest.raises(OSError, match="No space left on device") as error:
        mnist_addition._pretrained_autoencoder(
            KEPT_PARAMS, cache, AutoencoderTransformer
        )
    assert error.value.filename == str(cache)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "text",
    ["", "[1, 2]", "{}", '{"command": "sklarith demo", "runs": []}', '{"command": '],
    ids=["empty", "a list", "an empty object", "other keys", "cut off"],
)
def test_a_json_that_is_not_a_results_file_is_named_on_reading(text, tmp_path):
    path = tmp_path / "adder.json"
    path.write_text(text)
    with pytest.raises(
        results_format.UnreadableResultsError,
        match=re.escape(f"{path} is not a results file: "),
    ):
        results_format.read_figures(path)


def test_rendering_again_stops_at_a_json_that_is_not_a_results_file(
    tmp_path, monkeypatch, capsys
):
    (tmp_path / "adder.json").write_text("{}")
    argv = ["python -m sklarith.experiments", str(tmp_path)]
    monkeypatch.setattr("sys.argv", argv)
    with pytest.raises(SystemExit) as exit_:
        runpy.run_module("sklarith.experiments", run_name="__main__")
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"{tmp_path / 'adder.json'} is not a results file" in err
    assert list(tmp_path.iterdir()) == [tmp_path / "adder.json"]


def test_peak_memory_is_none_where_the_platform_cannot_tell(monkeypatch):
    from sklarith.experiments import _common

    assert _common.peak_memory_mib() > 0
    # Windows has no resource module: importing it fails.
    monkeypatch.setitem(sys.modules, "resource", None)
    assert _common.peak_memory_mib() is None
