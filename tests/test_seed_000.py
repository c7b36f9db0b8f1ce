import argparse

from sklearn.frozen import FrozenEstimator
from sklearn.pipeline import Pipeline

from sklarith import ArithmeticMultiOutputClassifier, AutoencoderTransformer
from sklarith.cli import seed_000
from sklarith.datasets import SEED_TARGETS


def test_default_freezes_the_encoder_as_the_seed_does():
    autoencoder = AutoencoderTransformer()
    model = seed_000.build_classifier(
        autoencoder, fine_tune=False, max_epochs=3, seed=0, verbose=0
    )
    assert isinstance(model, Pipeline)
    assert isinstance(model.named_steps["enc"], FrozenEstimator)
    assert model.named_steps["enc"].estimator is autoencoder
    assert model.named_steps["arith"].max_epochs == 3


def test_fine_tune_trains_a_copy_of_the_encoder_with_the_heads():
    autoencoder = AutoencoderTransformer()
    model = seed_000.build_classifier(
        autoencoder, fine_tune=True, max_epochs=1, seed=0, verbose=0
    )
    assert isinstance(model, ArithmeticMultiOutputClassifier)
    assert model.encoder is autoencoder


def test_table_sets_our_row_under_the_seeds():
    figures = {
        "per_output": dict.fromkeys(SEED_TARGETS, 99.0),
        "all_five": 97.5,
    }
    lines = seed_000.format_table(figures, "ours").splitlines()
    assert lines[2].startswith("| seed (Keras, frozen encoder) | 95.4 | 98.0 |")
    assert lines[3] == "| ours | 99.00 | 99.00 | 99.00 | 99.00 | 99.00 | 97.50 |"


def test_command_line_names_only_the_options_given():
    args = argparse.Namespace(
        fine_tune=True,
        n_pairs=1000,
        n_test_pairs=None,
        max_epochs=None,
        random_state=None,
    )
    assert seed_000.command_line(args) == (
        "sklarith reproduce seed-000 --fine-tune --n-pairs 1000"
    )
