"""AutoencoderTransformer (``sklarith/autoencoder.py``): what it learns, its
convolutions, and its early stopping. The encoder contract it shares with
PCAEncoder is in ``test_encoders.py``."""

import math
import warnings

import numpy as np
import pytest
import torch
from sklearn.exceptions import ConvergenceWarning

from sklarith import AutoencoderTransformer
from sklarith._torch import InMemoryDataset
from sklarith.metrics import reconstruction_bce
from sklarith.modules import ConvAutoencoder, RandomAffine
from sklarith.utils._distinct import distinct_rows


def small_autoencoder(**params):
    defaults = {
        "n_components": 8,
        "image_shape": (8, 8),
        "max_epochs": 3,
        "batch_size": 64,
        "random_state": 0,
    }
    return AutoencoderTransformer(**{**defaults, **params})


def test_training_reconstructs_better_than_the_mean_image(digits):
    X_train, X_test, _, _ = digits
    fitted = small_autoencoder(max_epochs=15).fit(X_train)
    mean = np.clip(X_train.mean(axis=0), 1e-7, 1 - 1e-7)
    baseline = -np.mean(X_test * np.log(mean) + (1 - X_test) * np.log(1 - mean))
    assert reconstruction_bce(fitted, X_test) < 0.9 * baseline


def test_each_channel_count_is_a_stride_2_convolution_of_the_encoder():
    X = np.random.RandomState(0).rand(20, 64).astype(np.float32)
    encoder = small_autoencoder(channels=(3, 5), max_epochs=1).fit(X)
    convolutions = [
        layer
        for layer in encoder.net_.module_.encoder
        if isinstance(layer, torch.nn.Conv2d)
    ]
    assert [c.out_channels for c in convolutions] == [3, 5]
    assert all(c.stride == (2, 2) for c in convolutions)


def test_a_stacked_stage_is_two_3x3_convolutions_and_a_stride_2_5x5_one():
    X = np.random.RandomState(0).rand(20, 64).astype(np.float32)
    encoder = small_autoencoder(
        channels=(3, 5), architecture="stacked", max_epochs=1
    ).fit(X)
    layers = list(encoder.net_.module_.encoder)
    convolutions = [layer for layer in layers if isinstance(layer, torch.nn.Conv2d)]
    assert [(c.out_channels, c.kernel_size[0], c.stride[0]) for c in convolutions] == [
        (3, 3, 1),
        (3, 3, 1),
        (3, 5, 2),
        (5, 3, 1),
        (5, 3, 1),
        (5, 5, 2),
    ]
    assert sum(isinstance(layer, torch.nn.BatchNorm2d) for layer in layers) == 6


@pytest.mark.parametrize("architecture", ["strided", "stacked"])
@pytest.mark.parametrize("shape", [(28, 28), (7, 9)], ids=["28x28", "7x9"])
def test_images_of_any_size_round_trip_to_their_own_size(rng, shape, architecture):
    X = rng.rand(40, 2 * shape[0] * shape[1]).astype(np.float32)
    encoder = small_autoencoder(
        image_shape=shape, architecture=architecture, max_epochs=1
    ).fit(X)
    assert encoder.transform(X).shape == (40, 16)
    assert encoder.inverse_transform(encoder.transform(X)).shape == X.shape


def test_a_stacked_code_of_an_image_does_not_depend_on_the_images_beside_it(digits):
    """Batch normalisation uses the statistics learnt in training: an image
    encoded alone, beside other images in its row, or in a batch of other
    rows gets the same code."""
    X_train, X_test, _, _ = digits
    encoder = small_autoencoder(architecture="stacked").fit(X_train)
    image = X_test[:1]
    alone = encoder.transform(image)
    in_a_batch = encoder.transform(X_test[:50])[:1]
    beside_another = encoder.transform(np.hstack([X_test[7:8], image]))[:, 8:]
    np.testing.assert_allclose(in_a_batch, alone, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(beside_another, alone, rtol=1e-5, atol=1e-5)


def test_a_stacked_autoencoder_from_the_same_random_state_is_the_same(digits):
    X_train, X_test, _, _ = digits
    first = small_autoencoder(architecture="stacked", max_epochs=2).fit(X_train)
    second = small_autoencoder(architecture="stacked", max_epochs=2).fit(X_train)
    np.testing.assert_array_equal(first.transform(X_test), second.transform(X_test))


def test_augmentation_moves_the_images_in_training_only(rng):
    """The encoder sees a moved copy of each image in training; in evaluation,
    which ``transform`` uses, the image itself."""
    torch.manual_seed(0)
    module = ConvAutoencoder((8, 8), 4, channels=(3,), augment=RandomAffine())
    images = torch.from_numpy(rng.rand(6, 64).astype(np.float32))
    with torch.no_grad():
        unmoved = module.decoder(module.encoder(images))
        in_training = module.train()(images)
        in_evaluation = module.eval()(images)
    assert not torch.allclose(in_training, unmoved)
    torch.testing.assert_close(in_evaluation, unmoved)


def test_an_augmented_autoencoder_from_the_same_random_state_is_the_same(digits):
    X_train, X_test, _, _ = digits
    first = small_autoencoder(augment=True).fit(X_train)
    second = small_autoencoder(augment=True).fit(X_train)
    np.testing.assert_array_equal(first.transform(X_test), second.transform(X_test))


def test_augmentation_changes_what_the_autoencoder_learns(digits):
    X_train, X_test, _, _ = digits
    augmented = small_autoencoder(augment=True).fit(X_train)
    plain = small_autoencoder(augment=False).fit(X_train)
    assert not np.allclose(augmented.transform(X_test), plain.transform(X_test))


def test_early_stopping_restores_the_weights_of_the_best_epoch(digits):
    X_train, _, _, _ = digits
    # A large step: the validation loss of the plain autoencoder is best at
    # epoch 2 and worse after.
    encoder = small_autoencoder(augment=False, max_epochs=6, n_iter_no_change=2, lr=0.3)
    encoder.fit(X_train)
    best_epoch = dict(encoder.net_.callbacks_)["early_stopping"].best_epoch_
    assert best_epoch < len(encoder.history_) < 6
    first, _ = distinct_rows(X_train)
    scaled = (X_train[first] - encoder.data_min_) / encoder.data_range_
    scaled = torch.from_numpy(scaled.astype(np.float32))
    _, valid = encoder.net_.train_split(InMemoryDataset(scaled, scaled))
    images = scaled[valid.indices]
    with torch.no_grad():
        logits = encoder.net_.module_(images)
    loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, images)
    recorded = encoder.history_[best_epoch - 1, "valid_loss"]
    assert float(loss) == pytest.approx(recorded, rel=1e-5)


def test_a_single_distinct_image_is_too_few_to_fit_with_early_stopping(rng):
    with pytest.raises(ValueError, match="at least 2 distinct images"):
        small_autoencoder().fit(np.tile(rng.rand(1, 64), (5, 1)))


def test_without_early_stopping_a_single_distinct_image_is_enough(rng):
    encoder = small_autoencoder(early_stopping=False, max_epochs=1)
    encoder.fit(np.tile(rng.rand(1, 64), (5, 1)))
    assert encoder.history_[-1, "train_batch_count"] == 1


def test_max_epochs_auto_trains_about_5000_optimiser_steps_without_warning(digits):
    """1,347 distinct images one per step: four epochs make 5,388 steps."""
    X_train, _, _, _ = digits
    encoder = small_autoencoder(
        n_components=2, channels=(2,), batch_size=1, early_stopping=False
    ).set_params(max_epochs="auto")
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        encoder.fit(X_train)
    n_distinct = len(np.unique(X_train, axis=0))
    assert len(encoder.history_) == math.ceil(5000 / n_distinct)


def test_max_epochs_auto_trains_at_most_200_epochs_on_few_images(rng):
    encoder = small_autoencoder(
        n_components=2, channels=(2,), batch_size=64, early_stopping=False
    ).set_params(max_epochs="auto")
    encoder.fit(rng.rand(10, 64))
    assert len(encoder.history_) == 200


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"image_shape": (8,)}, "pair of positive integers"),
        ({"n_components": 0}, "'n_components' parameter"),
        ({"channels": ()}, "'channels' parameter .* must be a non-empty tuple"),
        ({"architecture": "deep"}, "'architecture' parameter"),
        ({"augment": "yes"}, "'augment' parameter"),
    ],
)
def test_invalid_parameters_are_named(params, message):
    with pytest.raises(ValueError, match=message):
        small_autoencoder(**params).fit(np.random.RandomState(0).rand(10, 64))
