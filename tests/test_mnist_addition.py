import contextlib
import io

import pytest

from sklarith import cli
from sklarith.cli import mnist_addition

SMOKE_RUN = [
    "reproduce",
    "mnist-addition",
    "--data",
    "digits",
    "--quick",
    "--digits",
    "1",
    "2",
    "--heads",
    "arithmetic",
    "mlp",
]


@pytest.fixture(scope="module")
def smoke_run():
    """Output of ``sklarith reproduce mnist-addition`` on the bundled digits."""
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        cli.main(SMOKE_RUN)
    return output.getvalue()


def test_prints_command_machine_and_date_first(smoke_run):
    first, second, third = smoke_run.splitlines()[:3]
    assert first == (
        "command: sklarith reproduce mnist-addition --digits 1 2 "
        "--heads arithmetic mlp --seeds 0 --data digits --quick"
    )
    assert second.startswith("machine: ")
    assert third.startswith("date: ")


def test_prints_a_line_per_run(smoke_run):
    for n_digits in (1, 2):
        for head in ("arithmetic", "mlp"):
            assert f"N={n_digits} head={head} seed=0: " in smoke_run


def test_table_sets_each_n_beside_its_published_figures(smoke_run):
    rows = [line for line in smoke_run.splitlines() if line.startswith("| 1 |")]
    assert len(rows) == 1
    assert "DeepStochLog 97.9" in rows[0]
    assert "A-NeSI 95.96" in smoke_run


def test_table_gives_mean_and_spread_over_seeds():
    results = {(4, "arithmetic"): [(0.94, 100.0), (0.96, 120.0)]}
    table = mnist_addition.format_table(results, n_seeds=2)
    row = table.splitlines()[-1]
    assert row.startswith("| 4 | 95.00 ± 1.00 |  | A-NeSI 92.56")
    assert row.endswith("| 110 s |")


@pytest.mark.parametrize(("n_digits", "rows"), [(1, 256), (2, 128), (4, 64), (15, 17)])
def test_batches_hold_about_512_images_whatever_n(n_digits, rows):
    assert mnist_addition.batch_size_for(n_digits) == rows


def test_a_run_line_gives_the_accuracy_of_the_sum_and_of_its_digits(smoke_run):
    line = next(line for line in smoke_run.splitlines() if line.startswith("N=2"))
    assert "(digits of the sum: " in line


def test_command_line_names_a_changed_schedule():
    parser = cli.build_parser()
    args = parser.parse_args(
        ["reproduce", "mnist-addition", "--digits", "15", "--max-epochs", "75"]
    )
    assert mnist_addition.command_line(args) == (
        "sklarith reproduce mnist-addition --digits 15 --heads arithmetic "
        "--seeds 0 --max-epochs 75"
    )
