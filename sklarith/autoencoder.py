"""AutoencoderTransformer: codes of images learnt by a convolutional autoencoder."""

import copy
import numbers

import torch
from sklearn.utils._param_validation import Interval, StrOptions

from ._encoders import ImageEncoder
from ._torch import NetSpec, infer_batches, to_tensor
from .base import IMAGE_SHAPE_CONSTRAINT, MIXED_PRECISION_CONSTRAINT, NetEstimator
from .modules import ConvAutoencoder, RandomAffine
from .modules._layers import refresh_batch_norm


class AutoencoderTransformer(ImageEncoder, NetEstimator):
    """Encode images with a convolutional autoencoder trained without labels.

    Read more in the :ref:`User Guide <user_guide_autoencoder>`.

    The encoder is a stage of convolutions per entry of ``channels``, each
    halving the image sides, and a linear code layer of ``n_components``
    units; the decoder mirrors it. Training minimises the
    per-pixel binary cross-entropy of the reconstruction on a random split of
    the images and stops when the loss on the held-out ``validation_fraction``
    has not improved for ``n_iter_no_change`` epochs, keeping the best
    weights. ``y`` is ignored: the codes are learnt from pixels alone.

    Each row of ``X`` holds one or several flattened images side by side (a
    pair of digits, say); every image is encoded on its own and the codes are
    concatenated. An encoder fitted on single images encodes pairs. Pixels may
    be in any range: the range seen at fit is mapped to [0, 1].

    Parameters
    ----------
    n_components : int, default=100
        Size of the code of each image.
    image_shape : tuple of int, default=(28, 28)
        ``(height, width)`` of each image.
    channels : tuple of int, default=(32, 64)
        Filters of each stage of the encoder.
    architecture : {"strided", "stacked"}, default="strided"
        The convolutions of a stage. ``"strided"``: one stride-2 3×3
        convolution, the autoencoder of the arithmetic post. ``"stacked"``:
        two 3×3 convolutions and a stride-2 5×5 one, each with batch
        normalisation, then dropout of 40 %: the encoder of the small
        supervised CNNs that read about 99.65 % of MNIST test digits, a
        stronger reader when a classifier fine-tunes it, at several times
        the computation per image. At the end of ``fit``, batch
        normalisation gets the mean and variance of the training images,
        which every ``transform`` uses: an image's code never depends on the
        other images transformed with it.
    augment : bool, default=True
        Train on a randomly transformed copy of each image (rotated by up to
        10 degrees, scaled by up to 10 % and shifted by up to 8 % of its
        side, each image its own draw) and reconstruct the image itself: a
        denoising autoencoder. Codes that must undo such small changes keep
        what the image shows rather than where its strokes fall, which is
        what a classifier on the codes needs. ``transform`` never moves an
        image. False: the plain autoencoder of the arithmetic post.
    max_epochs : int or "auto", default="auto"
        Maximum number of passes over the training images; the learning rate
        decays along a cosine over them. ``"auto"``: as many as make about
        5,000 optimiser steps, at most 200: 12 on MNIST's 60,000 images, 200
        on a thousand images, where early stopping (the default) ends
        training when the validation loss stalls. What trains a network is
        its number of steps: a schedule of 200 epochs on a large data set
        stays at its highest learning rate, and settles later, than one as
        long as the steps need. Such a schedule does not warn that its
        loss was still improving at its last epoch; the limit of 200 does.
    batch_size : int, default=128
        Images per gradient step (and per inference batch).
    lr : float, default=2e-3
        Learning rate of the Adam optimiser.
    lr_schedule : {"cosine", "constant"}, default="cosine"
        ``"cosine"``: the learning rate decays from ``lr`` to zero along a
        cosine, step by step, over ``max_epochs``; the last steps are small,
        which settles the weights. ``"constant"``: it stays at ``lr``.
        A skorch ``LRScheduler`` among ``callbacks`` replaces either.
    early_stopping : bool, default=True
        Hold out ``validation_fraction`` of the images, stop when their loss
        stalls and restore the weights of the best epoch.
    validation_fraction : float, default=0.1
        Share of the images held out for early stopping.
    n_iter_no_change : int, default=3
        Epochs without improvement of the validation loss before stopping.
    device : str, default="auto"
        ``"auto"`` (CUDA when available, else CPU), ``"cpu"``, ``"cuda"``
        or ``"cuda:<index>"``.
    mixed_precision : bool, default=False
        Run forward passes, in training and inference, under bfloat16
        autocast, for GPUs whose tensor cores compute in bfloat16 (NVIDIA
        Ampere and later), at a small loss of precision. Weights, gradients
        and losses stay float32, so no loss scaling is needed. It works on
        a CPU too; whether it is faster there depends on the CPU.
    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, the validation split and the shuffling.
        A fixed value gives identical codes on the CPU.
    verbose : int, default=0
        1 prints a table of losses per epoch, 2 adds a progress bar.
    callbacks : list of skorch callbacks or None, default=None
        Callbacks of your own (``Checkpoint``, a logger, ``LRScheduler``...),
        as instances or ``(name, callback)`` pairs, run after sklarith's own
        in every fit. Each fit trains copies of them; the fitted ones are in
        ``net_.callbacks_``.
    warm_start : bool, default=False
        When fitted already, continue training the fitted network instead of
        starting from new random weights: ``history_`` grows by the new
        epochs. The optimiser and the learning-rate schedule start afresh, as
        in scikit-learn's ``MLPRegressor``; the pixel range is that of the
        new images. ``n_components``, ``channels``, ``architecture`` and
        ``image_shape`` must be those of the first fit.

    Attributes
    ----------
    net_ : skorch.NeuralNet
        The trained net; ``net_.module_`` is the
        :class:`~sklarith.modules.ConvAutoencoder`.
    history_ : skorch.History
        Per-epoch losses and durations.
    n_iter_ : int
        Epochs trained, those of warm starts included.
    loss_curve_ : list of float
        The training loss of each epoch.
    validation_scores_ : None
        An autoencoder's validation is its loss (``history_``).
    device_ : str
        The device the net lives on.
    image_shape_ : tuple of int
        Validated ``image_shape``.
    data_min_, data_max_ : float
        Pixel range seen at fit, mapped to [0, 1].
    data_range_ : float
        ``data_max_ - data_min_``, or 1 when every pixel is the same: pixels
        are scaled as ``(X - data_min_) / data_range_``.
    n_features_in_ : int
        Row width seen at fit.
    feature_names_in_ : ndarray of str
        Column names seen at fit, when ``X`` had string column names.

    See Also
    --------
    PCAEncoder : The same contract with principal components.
    ArithmeticMultiOutputClassifier : Learns arithmetic from these codes.

    Examples
    --------
    >>> from sklarith import AutoencoderTransformer
    >>> from sklarith.datasets import load_digit_images
    >>> digits = load_digit_images()
    >>> encoder = AutoencoderTransformer(
    ...     n_components=16, image_shape=(8, 8), max_epochs=2, random_state=0
    ... )
    >>> codes = encoder.fit_transform(digits.data[:200])
    >>> codes.shape
    (200, 16)
    >>> encoder.inverse_transform(codes).shape
    (200, 64)
    """

    _parameter_constraints = {
        **NetEstimator._parameter_constraints,
        **MIXED_PRECISION_CONSTRAINT,
        **IMAGE_SHAPE_CONSTRAINT,
        "n_components": [Interval(numbers.Integral, 1, None, closed="left")],
        "channels": [tuple, list],
        "architecture": [StrOptions({"strided", "stacked"})],
        "augment": ["boolean"],
    }

    _layer_sizes = {"channels": 1}

    def __init__(
        self,
        *,
        n_components=100,
        image_shape=(28, 28),
        channels=(32, 64),
        architecture="strided",
        augment=True,
        max_epochs="auto",
        batch_size=128,
        lr=2e-3,
        lr_schedule="cosine",
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change=3,
        device="auto",
        mixed_precision=False,
        random_state=None,
        verbose=0,
        callbacks=None,
        warm_start=False,
    ):
        self.n_components = n_components
        self.image_shape = image_shape
        self.channels = channels
        self.architecture = architecture
        self.augment = augment
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.lr_schedule = lr_schedule
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.device = device
        self.mixed_precision = mixed_precision
        self.random_state = random_state
        self.verbose = verbose
        self.callbacks = callbacks
        self.warm_start = warm_start

    _sample_name = "distinct images"

    def _fit_distinct_images(self, images):
        scaled = self._scale_pixels(images)
        self._fit_net(scaled, scaled)
        # The codes are what the classifiers cluster and standardise: their
        # batch normalisation (architecture="stacked") gets the exact
        # statistics of the training images, not running averages.
        device = self.net_.device
        refresh_batch_norm(
            self.net_.module_.encoder,
            (
                to_tensor(scaled[start : start + self.batch_size]).to(device)
                for start in range(0, len(scaled), self.batch_size)
            ),
        )
        return self

    def _net_spec(self, X, y):
        return NetSpec(
            module=ConvAutoencoder,
            module_params={
                "image_shape": self.image_shape_,
                "n_components": self.n_components,
                "channels": tuple(int(c) for c in self.channels),
                "architecture": self.architecture,
                "augment": RandomAffine() if self.augment else None,
            },
            criterion=torch.nn.BCEWithLogitsLoss,
        )

    def torch_encoder(self):
        """A copy of the trained encoder: pixels scaled to [0, 1] to codes.

        ``(pixels - data_min_) / data_range_`` is the scaling. Training the
        copy leaves this encoder as it is.

        Returns
        -------
        encoder : torch.nn.Module
            Maps ``(n, height * width)`` to ``(n, n_components)``.
        """
        return copy.deepcopy(self.net_.module_.encoder)

    def _encode_images(self, images):
        batches = infer_batches(
            self.net_, images, method="encode", preprocess=self._scale_pixels
        )
        return torch.cat(list(batches)).numpy()

    def _decode_codes(self, codes):
        return torch.cat(list(infer_batches(self.net_, codes, method="decode"))).numpy()
