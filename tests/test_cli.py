"""The ``sklarith`` command line: one registry over the experiments."""

import builtins
import contextlib
import dataclasses
import errno
import importlib.util
import inspect
import io
import json
import os
import re
import runpy
import select
import signal
import socket
import subprocess
import sys
import warnings
from pathlib import Path

import joblib
import pytest
import torch
from sklearn.exceptions import ConvergenceWarning

from sklarith import cli
from sklarith.datasets import make_arithmetic_pairs
from sklarith.experiments import (
    EXPERIMENTS,
    Figures,
    _common,
    arithmetic,
    demo,
    single_layer,
)

SHARED = ["--quick", "--random-state", "--verbose", "--output"]


@pytest.fixture
def calls(monkeypatch):
    """Replace every experiment's run by one that records its arguments."""
    recorded = []
    for module in EXPERIMENTS:
        original = module.run

        def fake(_module=module, **kwargs):
            recorded.append((_module.COMMAND, kwargs))
            return Figures(
                "single-layer",
                _module.COMMAND,
                {"data": "digits"},
                {
                    "n_test_images": 1,
                    "checkpoints": [0],
                    "accuracy": {"delta rule": [0.5], "softmax": [0.25]},
                },
            )

        fake.__signature__ = inspect.signature(original)
        monkeypatch.setattr(module, "run", fake)
    return recorded


@pytest.mark.parametrize(
    "module", EXPERIMENTS, ids=lambda module: module.COMMAND.split()[-1]
)
def test_every_command_takes_the_shared_options(module, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main([*module.COMMAND.split()[1:], "--help"])
    assert exit_.value.code == 0
    usage = capsys.readouterr().out
    for option in SHARED:
        assert option in usage
    parameters = inspect.signature(module.run).parameters
    assert ("--data" in usage) == ("data" in parameters)
    assert ("--data-home" in usage) == ("data" in parameters)
    assert ("--device" in usage) == ("device" in parameters)


@pytest.mark.parametrize(
    "module", EXPERIMENTS, ids=lambda module: module.COMMAND.split()[-1]
)
def test_every_option_states_its_default_at_most_once(module, capsys):
    with pytest.raises(SystemExit):
        cli.main([*module.COMMAND.split()[1:], "--help"])
    options = capsys.readouterr().out.split("options:")[1]
    # Each option's help starts on a line of its own that names it.
    for help_ in re.split(r"\n  (?=-)", options):
        assert help_.count("(default:") <= 1, help_


def test_every_command_that_trains_estimators_takes_device():
    # The single-layer networks are NumPy arrays: no device to choose.
    without = [
        module
        for module in EXPERIMENTS
        if "device" not in inspect.signature(module.run).parameters
    ]
    assert without == [single_layer]


@pytest.mark.parametrize("device", ["cpu", "auto"])
def test_device_reaches_the_experiment(calls, device):
    cli.main(["demo", "--device", device])
    assert calls[0][1]["device"] == device


@pytest.mark.parametrize(
    ("device", "problem"),
    [
        ("cuda", "CUDA is not available"),
        ("cuda:0", "CUDA is not available"),
    ],
)
def test_a_device_the_machine_lacks_is_one_line_before_any_work(
    calls, monkeypatch, capsys, device, problem
):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(SystemExit) as exit_:
        cli.main(["demo", "--device", device])
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("sklarith: error: ")
    assert problem in err
    assert err.count("\n") == 1
    assert calls == []


def test_a_cuda_index_the_machine_lacks_is_one_line_before_any_work(
    calls, monkeypatch, capsys
):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    with pytest.raises(SystemExit) as exit_:
        cli.main(["reproduce", "identity-adder", "--device", "cuda:1"])
    assert exit_.value.code == 1
    assert "1 CUDA device(s), cuda:0 to cuda:0" in capsys.readouterr().err
    assert calls == []


def test_data_home_reaches_the_experiment(calls, tmp_path):
    cli.main(["reproduce", "single-layer", "--data-home", str(tmp_path / "data")])
    assert calls[0][1]["data_home"] == str(tmp_path / "data")


def test_defaults_are_those_of_the_experiment(calls):
    cli.main(["reproduce", "arithmetic"])
    command, kwargs = calls[0]
    assert command == "sklarith reproduce arithmetic"
    defaults = {
        name: p.default
        for name, p in inspect.signature(arithmetic.run).parameters.items()
    }
    assert kwargs == defaults


def test_options_reach_the_experiment_by_the_same_names(calls):
    cli.main(
        [
            "demo",
            "--data",
            "digits",
            "--quick",
            "--random-state",
            "3",
            "--verbose",
            "0",
            "--n-test-pairs",
            "200",
        ]
    )
    _, kwargs = calls[0]
    assert kwargs["data"] == "digits"
    assert kwargs["quick"] is True
    assert (kwargs["random_state"], kwargs["verbose"], kwargs["n_test_pairs"]) == (
        3,
        0,
        200,
    )


def test_prints_the_table_then_command_machine_and_date(calls, capsys):
    cli.main(["reproduce", "single-layer"])
    output = capsys.readouterr().out
    table, provenance = output.strip().split("\n\n")[-2:]
    last_row = table.splitlines()[-1]
    assert [cell.strip() for cell in last_row.split("|")[1:-1]] == [
        "0",
        "50.00",
        "25.00",
    ]
    lines = provenance.splitlines()
    assert lines[0] == "- command: `sklarith reproduce single-layer`"
    assert lines[1].startswith("- machine: ")
    assert lines[2] == f"- date: {_common.today()}"


def test_output_writes_the_results_files_named_after_the_command(
    calls, tmp_path, capsys
):
    cli.main(["reproduce", "single-layer", "--output", str(tmp_path / "out")])
    names = sorted(path.name for path in (tmp_path / "out").iterdir())
    assert names == ["single-layer.json", "single-layer.md", "single-layer.rst"]
    assert "Wrote " in capsys.readouterr().out


def test_without_output_nothing_is_written(calls, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cli.main(["reproduce", "single-layer"])
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "argv",
    [
        ["reproduce", "seed-000"],
        ["compare", "--quiet"],
        ["reproduce", "mnist-addition", "--seeds", "4", "5"],
        ["reproduce", "mnist-addition", "--digits", "1"],
    ],
)
def test_names_never_released_are_unknown_commands_and_options(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'seed-000'" in err or "unrecognized arguments" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["reproduce"],
        ["reproduce", "seed-001"],
        ["demo", "--data", "cifar"],
        ["demo", "--n-pairs", "0"],
        ["compare", "--random-state", "-1"],
        ["reproduce", "adder", "--data", "digits"],
        ["reproduce", "mnist-addition", "--seeds", "0", "2"],
        # Early stopping holds out a share: one pair failed after the
        # autoencoder's training.
        ["demo", "--n-pairs", "1"],
        ["reproduce", "adder", "--n-samples", "1"],
        # Each run also draws from random state + 1, and seeds are 32-bit.
        ["demo", "--random-state", "4294967295"],
        [
            "reproduce",
            "mnist-addition",
            "--random-state",
            "4294967290",
            "--n-runs",
            "6",
        ],
        ["reproduce", "adder", "--max-sums", "1"],
        ["reproduce", "adder", "--max-sums", str(2**63)],
        # The old spellings are checked as the new ones are...
        ["reproduce", "mnist-addition", "--digits", "0"],
        ["reproduce", "mnist-addition", "--seeds", "-1"],
        # ... and cannot contradict them.
        ["reproduce", "mnist-addition", "--seeds", "5", "6", "--random-state", "3"],
        ["reproduce", "mnist-addition", "--n-runs", "2", "--seeds", "5", "6"],
        ["compare", "--quiet", "--verbose", "1"],
        # A repeated value would run twice and be reported as one.
        ["reproduce", "mnist-addition", "--n-digits", "1", "1"],
        ["reproduce", "mnist-addition", "--heads", "mlp", "mlp"],
        ["reproduce", "adder", "--hidden-sizes", "4", "4"],
        # Devices are the CPU and CUDA, spelt as the estimators take them.
        ["demo", "--device", "gpu"],
        ["compare", "--device", "mps"],
        ["reproduce", "adder", "--device", "cuda:x"],
        ["reproduce", "single-layer", "--device", "cpu"],
        # The data home is a folder; the adder reads no images.
        ["demo", "--data-home", ""],
        ["reproduce", "adder", "--data-home", "."],
    ],
)
def test_a_users_mistake_is_a_usage_error_not_a_traceback(calls, argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "usage: sklarith" in err
    assert "Traceback" not in err
    assert calls == []


def _number_options():
    """Every number option of every command, with its spec."""
    for module in EXPERIMENTS:
        words = module.COMMAND.split()[1:]
        for name in inspect.signature(module.run).parameters:
            spec = cli.SHARED_OPTIONS.get(name) or module.OPTIONS[name]
            if spec.get("type") in (int, float):
                option = "--" + name.replace("_", "-")
                yield pytest.param(words, option, spec, id=f"{words[-1]} {option}")


@pytest.mark.parametrize(("words", "option", "spec"), list(_number_options()))
def test_every_number_option_is_checked_against_its_bounds(
    calls, capsys, words, option, spec
):
    def given(value):
        return [*words, option, str(value)]

    assert "minimum" in spec, f"{option} declares no minimum"
    cli.main(given(spec["minimum"]))
    assert len(calls) == 1
    outside = [spec["minimum"] - 1]
    if "maximum" in spec:
        cli.main(given(spec["maximum"]))
        outside.append(spec["maximum"] + 1)
    for value in outside:
        with pytest.raises(SystemExit) as exit_:
            cli.main(given(value))
        assert exit_.value.code == 2
        assert f"argument {option}: must be at" in capsys.readouterr().err
    assert len(calls) == 1 + ("maximum" in spec)


def test_output_into_a_file_is_a_usage_error_before_the_run(calls, tmp_path, capsys):
    (tmp_path / "results.txt").write_text("not a folder")
    for output, problem in [
        ("results.txt", "is a file, not a folder"),
        ("results.txt/new", "results.txt is a file"),
    ]:
        with pytest.raises(SystemExit) as exit_:
            cli.main(["reproduce", "single-layer", "--output", str(tmp_path / output)])
        assert exit_.value.code == 2
        assert problem in capsys.readouterr().err
    assert calls == []


def test_a_data_home_that_is_a_file_is_a_usage_error_before_the_run(
    calls, tmp_path, capsys
):
    (tmp_path / "data").write_text("not a folder")
    for data_home, problem in [
        ("data", "is a file, not a folder"),
        ("data/mnist", "data is a file"),
    ]:
        with pytest.raises(SystemExit) as exit_:
            cli.main(["demo", "--data-home", str(tmp_path / data_home)])
        assert exit_.value.code == 2
        assert problem in capsys.readouterr().err
    assert calls == []


def test_results_files_that_cannot_be_written_are_one_line_after_the_table(
    calls, tmp_path, capsys
):
    (tmp_path / "single-layer.json").mkdir()
    with pytest.raises(SystemExit) as exit_:
        cli.main(["reproduce", "single-layer", "--output", str(tmp_path)])
    assert exit_.value.code == 1
    out, err = capsys.readouterr()
    assert "| 0 " in out
    assert err.startswith("sklarith: error: could not write the results files")
    assert err.count("\n") == 1


@pytest.fixture
def failing(monkeypatch):
    """Make ``sklarith demo`` raise ``exception`` where its run would work."""

    def fail_with(exception):
        def run(**kwargs):
            raise exception

        run.__signature__ = inspect.signature(demo.run)
        monkeypatch.setattr(demo, "run", run)

    return fail_with


def test_ctrl_c_is_one_line_and_exit_status_130(failing, capsys):
    failing(KeyboardInterrupt())
    with pytest.raises(SystemExit) as exit_:
        cli.main(["demo", "--data", "digits"])
    assert exit_.value.code == 130
    assert capsys.readouterr().err.strip() == "sklarith: interrupted"


def test_ctrl_c_during_training_stops_the_command(calls, monkeypatch, capsys):
    # skorch ends training on KeyboardInterrupt and keeps the model: the
    # command must not go on to report that model's figures as its own.
    def run_through_ctrl_c(**kwargs):
        with contextlib.suppress(KeyboardInterrupt):  # as skorch's fit loop
            signal.raise_signal(signal.SIGINT)
        raise AssertionError("the command went on after Ctrl-C")

    run_through_ctrl_c.__signature__ = inspect.signature(demo.run)
    monkeypatch.setattr(demo, "run", run_through_ctrl_c)
    with pytest.raises(SystemExit) as exit_:
        cli.main(["demo", "--data", "digits"])
    assert exit_.value.code == 130
    out, err = capsys.readouterr()
    assert (out, err.strip()) == ("", "sklarith: interrupted")
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_too_little_memory_is_one_line_of_error(failing, capsys):
    failing(MemoryError("Unable to allocate 4.47 TiB for an array"))
    with pytest.raises(SystemExit) as exit_:
        cli.main(["demo", "--n-pairs", "1000000000000"])
    assert exit_.value.code == 1
    assert capsys.readouterr().err == (
        "sklarith: error: not enough memory for this run (Unable to allocate "
        "4.47 TiB for an array)\n"
    )


def test_a_closed_pipe_stops_quietly(calls, monkeypatch, capsys):
    class ClosedPipe:
        def fileno(self):
            raise io.UnsupportedOperation("fileno")

        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self):
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr("sys.stdout", ClosedPipe())
    with pytest.raises(SystemExit) as exit_:
        cli.main(["reproduce", "single-layer"])
    assert exit_.value.code == 141
    assert capsys.readouterr().err == ""


def test_mnist_offline_is_one_line_of_error(monkeypatch, tmp_path, capsys):
    # The real fetch, into an empty data home, with every host name unknown
    # as offline: torchvision tries each mirror, and nothing waits on a network.
    def offline(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setenv("SCIKIT_LEARN_DATA", str(tmp_path))
    monkeypatch.setattr(socket, "getaddrinfo", offline)
    with pytest.raises(SystemExit) as exit_:
        cli.main(["demo", "--data", "mnist"])
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("sklarith: error: ")
    assert "MNIST" in err
    assert err.count("\n") == 1


def test_data_home_overrides_scikit_learn_data(monkeypatch, tmp_path, capsys):
    # The real fetch, offline, into an empty data home: the error names the
    # folder it looked in.
    def offline(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setenv("SCIKIT_LEARN_DATA", str(tmp_path / "environment"))
    monkeypatch.setattr(socket, "getaddrinfo", offline)
    with pytest.raises(SystemExit):
        cli.main(["demo", "--data", "mnist", "--data-home", str(tmp_path / "given")])
    err = capsys.readouterr().err
    assert str(tmp_path / "given") in err
    assert "environment" not in err
    assert not (tmp_path / "environment").exists()


def test_unavailable_mnist_is_one_line_of_error(monkeypatch, capsys):
    def offline(**kwargs):
        raise OSError("MNIST files not found in /nowhere")

    monkeypatch.setattr(_common, "fetch_mnist", offline)
    with pytest.raises(SystemExit) as exit_:
        cli.main(["demo", "--data", "mnist"])
    assert exit_.value.code == 1
    assert capsys.readouterr().err == (
        "sklarith: error: MNIST files not found in /nowhere\n"
    )


@pytest.fixture
def tiny_demo(monkeypatch):
    """``--quick`` on the digits shrunk to one epoch of 500 pairs."""
    monkeypatch.setitem(_common.QUICK, "digits", {"max_epochs": 1, "n_pairs": 500})
    monkeypatch.setitem(
        _common.HEADLINE["digits"],
        "autoencoder",
        {**_common.HEADLINE["digits"]["autoencoder"], "max_epochs": 1},
    )


def test_demo_on_the_digits_end_to_end(tiny_demo, capsys):
    cli.main(
        [
            "demo",
            "--data",
            "digits",
            "--quick",
            "--verbose",
            "0",
            "--n-test-pairs",
            "100",
            "--n-examples",
            "2",
        ]
    )
    output = capsys.readouterr().out
    rows = [line.split("|")[1].strip() for line in output.splitlines() if "%" in line]
    assert rows == [
        "sum_units",
        "sum_tens",
        "product_units",
        "product_tens",
        "greater",
        "all five",
    ]
    assert output.count(" × ") == 2
    assert (
        "- command: `sklarith demo --data digits --quick --n-test-pairs 100 "
        "--n-examples 2`" in output
    )


def test_the_fixed_epochs_of_an_experiment_raise_no_convergence_warning(tiny_demo):
    """One epoch ends every fit with its loss still falling, as the protocol
    says; the command does not warn about it."""
    argv = ["demo", "--data", "digits", "--quick", "--verbose", "0"]
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        cli.main([*argv, "--n-test-pairs", "20", "--n-examples", "0"])


def test_output_saves_the_fitted_model_beside_the_results_files(
    tiny_demo, tmp_path, capsys
):
    argv = ["demo", "--data", "digits", "--quick", "--verbose", "0"]
    cli.main([*argv, "--n-test-pairs", "20", "--output", str(tmp_path)])
    stem = "demo--data-digits--quick--n-test-pairs-20"
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        f"{stem}{suffix}" for suffix in (".joblib", ".json", ".md", ".rst")
    ]
    assert f"{stem}.joblib" in capsys.readouterr().out
    model = joblib.load(tmp_path / f"{stem}.joblib")
    images = _common.split_digits()
    X, Y = make_arithmetic_pairs(
        images.test_images, images.test_labels, n_pairs=7, random_state=5
    )
    assert model.predict(X).shape == Y.shape


def test_output_replaces_the_model_of_the_same_command_and_no_other_file(
    monkeypatch, tmp_path
):
    fitted = iter(["first model", "second model"])

    def run(**kwargs):
        return Figures(
            "single-layer",
            "sklarith reproduce single-layer",
            {"data": "digits"},
            {
                "n_test_images": 1,
                "checkpoints": [0],
                "accuracy": {"delta rule": [0.5], "softmax": [0.25]},
            },
            model=next(fitted),
        )

    run.__signature__ = inspect.signature(single_layer.run)
    monkeypatch.setattr(single_layer, "run", run)
    (tmp_path / "mine.joblib").write_bytes(b"the user's")
    for _ in range(2):
        cli.main(["reproduce", "single-layer", "--output", str(tmp_path)])
    assert joblib.load(tmp_path / "single-layer.joblib") == "second model"
    assert (tmp_path / "mine.joblib").read_bytes() == b"the user's"


def test_a_full_disk_is_one_line_naming_the_file_it_could_not_write(
    calls, tmp_path, monkeypatch, capsys
):
    def full_disk(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(Path, "write_text", full_disk)
    with pytest.raises(SystemExit) as exit_:
        cli.main(["reproduce", "single-layer", "--output", str(tmp_path)])
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"No space left on device: '{tmp_path / 'single-layer.json'}'" in err


def _results_file_cut_off():
    figures = Figures(
        "mnist-addition",
        "sklarith reproduce mnist-addition --data digits --quick",
        {"data": "digits"},
        {"max_epochs": 2, "runs": []},
    )
    fields = dataclasses.asdict(figures)
    del fields["model"]
    text = json.dumps(fields, indent=2)
    return text[: len(text) // 2]


#: What a user may find where a series resumes from: the results file of its
#: command, but not one sklarith wrote.
NOT_RESULTS_FILES = {
    "an empty object": lambda: "{}",
    "other keys": lambda: '{"runs": [], "max_epochs": 2}',
    "cut off": _results_file_cut_off,
    "results without runs": lambda: json.dumps(
        {
            "experiment": "mnist-addition",
            "command": "sklarith reproduce mnist-addition --data digits --quick",
            "options": {},
            "results": {"max_epochs": 2},
        }
    ),
}


@pytest.mark.parametrize("kind", NOT_RESULTS_FILES)
def test_a_results_file_sklarith_cannot_read_is_one_line_that_names_it(
    kind, tmp_path, capsys
):
    path = tmp_path / "mnist-addition--data-digits--quick.json"
    path.write_text(NOT_RESULTS_FILES[kind]())
    argv = ["reproduce", "mnist-addition", "--data", "digits", "--quick"]
    with pytest.raises(SystemExit) as exit_:
        cli.main([*argv, "--verbose", "0", "--output", str(tmp_path)])
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"sklarith: error: {path} is not a results file")
    assert err.endswith("; move it away or choose another --output.\n")


@pytest.fixture
def ctrl_c_while_loading(monkeypatch):
    """Make an import of torch, scikit-learn, skorch or sklarith's experiments
    raise ``KeyboardInterrupt``, as Ctrl-C while the command loads them; by
    an import statement or by ``importlib.import_module``."""
    real_import = builtins.__import__
    real_import_module = importlib.import_module

    def interrupt_if_heavy(absolute):
        heavy = absolute.split(".")[0] in ("torch", "sklearn", "skorch")
        if heavy or absolute.startswith("sklarith.experiments"):
            raise KeyboardInterrupt

    def import_(name, globals=None, locals=None, fromlist=(), level=0):
        absolute = name
        if level:
            package = (globals or {}).get("__package__")
            absolute = importlib.util.resolve_name("." * level + name, package)
        interrupt_if_heavy(absolute)
        return real_import(name, globals, locals, fromlist, level)

    def import_module(name, package=None):
        interrupt_if_heavy(importlib.util.resolve_name(name, package))
        return real_import_module(name, package)

    monkeypatch.setattr(builtins, "__import__", import_)
    monkeypatch.setattr(importlib, "import_module", import_module)


def test_ctrl_c_while_the_command_loads_is_one_line_and_exit_status_130(
    ctrl_c_while_loading, capsys
):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["reproduce", "single-layer", "--help"])
    assert exit_.value.code == 130
    assert capsys.readouterr() == ("", "\nsklarith: interrupted\n")


def test_ctrl_c_while_python_m_sklarith_loads_is_one_line_and_exit_status_130(
    ctrl_c_while_loading, monkeypatch, capsys
):
    monkeypatch.setattr("sys.argv", ["sklarith", "reproduce", "single-layer", "--help"])
    with pytest.raises(SystemExit) as exit_:
        runpy.run_module("sklarith", run_name="__main__")
    assert exit_.value.code == 130
    assert capsys.readouterr() == ("", "\nsklarith: interrupted\n")


#: Put first on ``sys.path`` of the command below: tells the test, through a
#: pipe, the moment the command first asks for torch.
_REPORT_TORCH_IMPORT = """
import os, sys

class _ReportTorchImport:
    def find_spec(self, name, path=None, target=None):
        if name == "torch":
            os.write(int(os.environ["SKLARITH_TEST_TORCH_PIPE"]), b"t")
        return None

sys.meta_path.insert(0, _ReportTorchImport())
"""


def test_a_real_ctrl_c_while_torch_loads_is_one_line_and_exit_status_130(tmp_path):
    """SIGINT as the command starts to import torch. Not after a fixed delay:
    on a busy machine half a second can still be Python's own start-up, where
    no program's handler can answer Ctrl-C."""
    (tmp_path / "sitecustomize.py").write_text(_REPORT_TORCH_IMPORT)
    read_end, write_end = os.pipe()
    command = [sys.executable, "-m", "sklarith", "reproduce", "adder", "--quick"]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")])
        ),
        "SKLARITH_TEST_TORCH_PIPE": str(write_end),
    }
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        pass_fds=[write_end],
        # A shell without job control starts background commands with SIGINT
        # ignored; the command must get it as from a terminal.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    os.close(write_end)
    with os.fdopen(read_end, "rb") as torch_import_started:
        assert select.select([torch_import_started], [], [], 120)[0]
        assert torch_import_started.read(1) == b"t"
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)
    assert (process.returncode, out, err) == (130, "", "\nsklarith: interrupted\n")


@pytest.mark.parametrize("argv", [["--help"], ["reproduce", "--help"]])
def test_the_help_that_names_no_experiment_does_not_load_torch(argv):
    code = (
        "import sys\n"
        "from sklarith import cli\n"
        "try:\n"
        f"    cli.main({argv!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('torch' in sys.modules, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert "COMMAND" in done.stdout or "EXPERIMENT" in done.stdout
    assert done.stderr == "False\n"


def test_the_commands_read_from_the_source_are_those_of_the_experiments():
    commands = cli._commands()
    assert [command.words for command in commands] == [
        tuple(module.COMMAND.split()[1:]) for module in EXPERIMENTS
    ]
    assert [command.description for command in commands] == [
        inspect.cleandoc(module.__doc__) for module in EXPERIMENTS
    ]
