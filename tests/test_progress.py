"""What ``verbose`` shows while a network trains, for every net estimator."""

import re

import pytest

from sklarith import (
    ArithmeticMultiOutputClassifier,
    AutoencoderTransformer,
    IdentityAdderClassifier,
    MLPAdderRegressor,
)
from sklarith.datasets import make_addition, make_identity_adder

ANSI_COLOUR = re.compile(r"\x1b\[[0-9;]*m")


def _autoencoder(digits, pairs, verbose):
    model = AutoencoderTransformer(
        n_components=4,
        image_shape=(8, 8),
        max_epochs=2,
        random_state=0,
        verbose=verbose,
    )
    return model, digits[0][:200], None


def _arithmetic(digits, pairs, verbose):
    X, Y = pairs[0][:300], pairs[1][:300]
    model = ArithmeticMultiOutputClassifier(
        hidden_layer_sizes=(8,), max_epochs=2, random_state=0, verbose=verbose
    )
    return model, X, Y


def _identity_adder(digits, pairs, verbose):
    X, y = make_identity_adder(digits[0][:200], digits[2][:200], random_state=0)
    model = IdentityAdderClassifier(
        image_shape=(8, 8), channels=(4,), max_epochs=2, random_state=0, verbose=verbose
    )
    return model, X, y


def _adder(digits, pairs, verbose):
    X, y = make_addition(100, max_sum=16, random_state=0)
    return MLPAdderRegressor(max_epochs=2, random_state=0, verbose=verbose), X, y


# Each estimator, and the columns of its table: accuracy for those that have one.
ESTIMATORS = {
    "AutoencoderTransformer": (_autoencoder, ["train_loss", "valid_loss", "dur"]),
    "ArithmeticMultiOutputClassifier": (
        _arithmetic,
        ["train_loss", "valid_acc", "valid_loss", "dur"],
    ),
    "IdentityAdderClassifier": (
        _identity_adder,
        ["train_loss", "valid_acc", "valid_loss", "dur"],
    ),
    "MLPAdderRegressor": (_adder, ["train_loss", "valid_acc", "valid_loss", "dur"]),
}


def _fit(name, digits, pairs, verbose, capsys):
    make, _ = ESTIMATORS[name]
    model, X, y = make(digits, pairs, verbose)
    model.fit(X, y)
    captured = capsys.readouterr()
    return ANSI_COLOUR.sub("", captured.out), captured.err


@pytest.mark.parametrize("name", ESTIMATORS)
def test_verbose_1_prints_a_table_row_per_epoch(name, digits, pairs, capsys):
    out, err = _fit(name, digits, pairs, 1, capsys)
    header, rule, *rows = out.strip().splitlines()
    assert header.split() == ["epoch", *ESTIMATORS[name][1]]
    assert set(rule) == {"-", " "}
    epochs = [row.split()[0] for row in rows if row.split()[0].isdigit()]
    assert epochs == ["1", "2"]
    assert "it/s" not in err


@pytest.mark.parametrize("name", ESTIMATORS)
def test_verbose_2_adds_a_progress_bar_within_each_epoch(name, digits, pairs, capsys):
    out, err = _fit(name, digits, pairs, 2, capsys)
    # tqdm draws on stderr and counts the batches of the epoch from 0.
    bars = re.findall(r"\| 0/(\d+) \[", err)
    assert len(bars) == 2
    assert all(int(n_batches) >= 1 for n_batches in bars)
    assert out.split()[0] == "epoch"


@pytest.mark.parametrize("name", ESTIMATORS)
def test_verbose_0_prints_nothing(name, digits, pairs, capsys):
    assert _fit(name, digits, pairs, 0, capsys) == ("", "")
