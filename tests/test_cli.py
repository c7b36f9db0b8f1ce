import pytest

from sklarith import cli
from sklarith.cli import demo


@pytest.fixture
def tiny_demo(monkeypatch):
    """Shrink the demo's digits settings so that it runs in seconds."""
    settings = {
        "autoencoder": {"n_components": 16, "image_shape": (8, 8), "max_epochs": 3},
        "classifier": {"max_epochs": 2, "hidden_layer_sizes": (64,)},
        "n_pairs": 2000,
        "quick": {"n_pairs": 1000, "max_epochs": 1},
    }
    monkeypatch.setitem(demo.DEMO_SETTINGS, "digits", settings)


def test_demo_prints_accuracy_per_output_and_worked_examples(tiny_demo, capsys):
    cli.main(["demo", "--data", "digits", "--quiet", "--n-test-pairs", "300"])
    output = capsys.readouterr().out
    for name in ["sum_units", "sum_tens", "product_units", "product_tens", "greater"]:
        assert name in output
    assert "all five" in output
    assert output.count(" × ") == 6


def test_demo_falls_back_to_the_embedded_digits_in_one_line(
    tiny_demo, monkeypatch, capsys
):
    def offline(**kwargs):
        raise OSError("Could not download MNIST into /nowhere: no network")

    monkeypatch.setattr(demo, "fetch_mnist", offline)
    cli.main(["demo", "--quick", "--quiet", "--n-test-pairs", "100"])
    first_line = capsys.readouterr().out.splitlines()[0]
    assert first_line.startswith("Could not download MNIST")
    assert "embedded 8x8 digits" in first_line


def test_demo_with_mnist_requested_and_unavailable_raises(monkeypatch):
    def offline(**kwargs):
        raise OSError("MNIST files not found")

    monkeypatch.setattr(demo, "fetch_mnist", offline)
    with pytest.raises(OSError, match="MNIST files not found"):
        cli.main(["demo", "--data", "mnist"])


def test_worked_example_marks_wrong_results():
    line = demo.format_worked_example(7, 5, [2, 1, 5, 3, 1], [2, 1, 5, 3, 1])
    assert line == "7 + 5 = 12 ✓   7 × 5 = 35 ✓   7 > 5 ✓"
    line = demo.format_worked_example(7, 5, [3, 1, 5, 3, 0], [2, 1, 5, 3, 1])
    assert line == "7 + 5 = 13 ✗   7 × 5 = 35 ✓   7 ≤ 5 ✗"
