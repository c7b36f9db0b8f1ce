import contextlib
import io

import pytest

from sklarith import cli
from sklarith.cli import reproduce

TINY_GRID = [
    "reproduce",
    "adder",
    "--quick",
    "--hidden-sizes",
    "2",
    "8",
    "--max-sums",
    "16",
    "--n-samples",
    "200",
    "--n-test-samples",
    "100",
]


@pytest.fixture(scope="module")
def tiny_run():
    """Output of ``sklarith reproduce adder`` on a 2 × 1 grid of small data."""
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        cli.main(TINY_GRID)
    return output.getvalue()


def test_prints_command_machine_and_date_first(tiny_run):
    first, second, third = tiny_run.splitlines()[:3]
    assert first == (
        "command: sklarith reproduce adder --quick --hidden-sizes 2 8 "
        "--max-sums 16 --n-samples 200 --n-test-samples 100"
    )
    assert second.startswith("machine: ")
    assert third.startswith("date: ")


def test_table_has_three_rows_per_hidden_size(tiny_run):
    table = tiny_run.split("\n\n")[1].splitlines()
    assert "sums ≤ 16" in table[0]
    models = [line.split()[:2] for line in table[1:]]
    assert models == [
        ["2", 'recipe="seed"'],
        ["2", "default"],
        ["2", "MLPRegressor"],
        ["8", 'recipe="seed"'],
        ["8", "default"],
        ["8", "MLPRegressor"],
    ]


def test_default_rows_add_every_held_out_sum(tiny_run):
    table = tiny_run.split("\n\n")[1].splitlines()
    for line in table[1:]:
        if line.split()[1] == "default":
            assert "100.00%" in line


def test_reports_progress_after_each_fit(tiny_run):
    assert "[6/6] sums ≤ 16, 8 hidden, MLPRegressor:" in tiny_run


def test_quiet_prints_no_progress(capsys):
    cli.main([*TINY_GRID[:5], "--max-sums", "16", "--n-samples", "100", "--quiet"])
    assert "[1/3]" not in capsys.readouterr().out


def test_reproduce_needs_an_experiment(capsys):
    with pytest.raises(SystemExit):
        cli.main(["reproduce"])
    assert "adder" in capsys.readouterr().err


def test_table_formats_accuracy_and_time():
    results = {
        (1, 16, "default"): (1.0, 0.25),
        (1, 256, "default"): (0.5, 12.0),
    }
    table = reproduce.format_adder_table(results, [1], [16, 256])
    header, row = table.splitlines()
    assert "sums ≤ 256" in header
    assert row.split() == ["1", "default", "100.00%", "0.2", "s", "50.00%", "12.0", "s"]
