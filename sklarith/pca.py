"""PCAEncoder: codes of images from scikit-learn's principal component analysis."""

import numbers

import numpy as np
import torch
from sklearn import config_context
from sklearn.decomposition import PCA
from sklearn.utils._param_validation import Interval, StrOptions

from ._encoders import ImageEncoder
from .base import IMAGE_SHAPE_CONSTRAINT


class PCAEncoder(ImageEncoder):
    """Encode images with their first principal components.

    Read more in the :ref:`User Guide <user_guide_pca>`.

    A drop-in replacement for :class:`~sklarith.AutoencoderTransformer`: the
    same rows of one or several images in, the same ``n_components`` codes
    per image out, concatenated, under the same feature names, so that either
    can be the ``"enc"`` step of a Pipeline or a value in a grid. The codes
    are those of :class:`sklearn.decomposition.PCA` fitted on the distinct
    images of ``X`` with their pixels mapped to [0, 1] (the range seen at
    fit, as for the autoencoder). ``y`` is ignored.

    :meth:`transform` and :meth:`inverse_transform` work ``batch_size``
    images at a time, so their memory beyond the output stays bounded.
    Reconstructions are clipped to the pixel range seen at fit.

    Parameters
    ----------
    n_components : int, default=100
        Size of the code of each image: the number of principal components.
        At most the number of pixels of an image and the number of distinct
        images seen at fit.
    image_shape : tuple of int, default=(28, 28)
        ``(height, width)`` of each image.
    whiten : bool, default=False
        Scale each code to unit variance over the training images, as
        :class:`~sklearn.decomposition.PCA` does.
    svd_solver : {"auto", "covariance_eigh", "full", "randomized", "arpack"}, \
            default="auto"
        Solver of :class:`~sklearn.decomposition.PCA`. ``"auto"`` picks
        ``"covariance_eigh"`` for MNIST-like data (many more images than
        pixels): it works on the pixels' covariance matrix, whose size does
        not grow with the number of images.
    batch_size : int, default=1024
        Images per batch of :meth:`transform` and :meth:`inverse_transform`.
    random_state : int, RandomState instance or None, default=None
        Seeds the ``"randomized"`` and ``"arpack"`` solvers; the others are
        deterministic.

    Attributes
    ----------
    pca_ : sklearn.decomposition.PCA
        The fitted PCA, on pixels scaled to [0, 1]: ``components_``,
        ``explained_variance_ratio_`` and so on.
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
    AutoencoderTransformer : The same contract with a convolutional
        autoencoder.
    sklearn.decomposition.PCA : The decomposition behind the codes.
    ArithmeticMultiOutputClassifier : Learns arithmetic from these codes, or
        fine-tunes this encoder (as a linear layer) with ``encoder=``.

    Examples
    --------
    >>> from sklarith import PCAEncoder
    >>> from sklarith.datasets import load_digit_images
    >>> digits = load_digit_images()
    >>> encoder = PCAEncoder(n_components=16, image_shape=(8, 8))
    >>> codes = encoder.fit_transform(digits.data)
    >>> codes.shape
    (1797, 16)
    >>> encoder.inverse_transform(codes).shape
    (1797, 64)
    >>> encoder.get_feature_names_out()[:2]
    array(['image0_code0', 'image0_code1'], dtype=object)
    """

    _parameter_constraints = {
        **IMAGE_SHAPE_CONSTRAINT,
        "n_components": [Interval(numbers.Integral, 1, None, closed="left")],
        "whiten": ["boolean"],
        "svd_solver": [
            StrOptions({"auto", "covariance_eigh", "full", "randomized", "arpack"})
        ],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        *,
        n_components=100,
        image_shape=(28, 28),
        whiten=False,
        svd_solver="auto",
        batch_size=1024,
        random_state=None,
    ):
        self.n_components = n_components
        self.image_shape = image_shape
        self.whiten = whiten
        self.svd_solver = svd_solver
        self.batch_size = batch_size
        self.random_state = random_state

    def _fit_distinct_images(self, images):
        self._check_n_components(len(images))
        # Pixels already in [0, 1] need no scaling: skip a copy of the images.
        if (self.data_min_, self.data_range_) != (0.0, 1.0):
            images = self._scale_pixels(images)
        self.pca_ = PCA(
            n_components=self.n_components,
            whiten=self.whiten,
            svd_solver=self.svd_solver,
            random_state=self.random_state,
        )
        # scikit-learn's callbacks see the fit as one task, without epochs.
        context = None
        if getattr(self, "_skl_callbacks", None):
            context = self._init_callback_context()
            context.call_on_fit_task_begin(estimator=self, X=images)
        # fit has validated the images; a second scan for NaN would cost
        # a tenth of the fit on MNIST.
        with config_context(assume_finite=True):
            self.pca_.fit(images)
        if context is not None:
            context.call_on_fit_task_end(
                estimator=self, X=images, reconstruction_attributes={}
            )
        return self

    def _check_n_components(self, n_images):
        n_pixels = self.image_shape_[0] * self.image_shape_[1]
        # arpack finds strictly fewer components than the smaller dimension.
        margin = 1 if self.svd_solver == "arpack" else 0
        if self.n_components > n_pixels - margin:
            height, width = self.image_shape_
            raise ValueError(
                f"n_components={self.n_components} is more than a {height}x{width} "
                f"image of {n_pixels} pixels allows with svd_solver="
                f"{self.svd_solver!r}; pass n_components <= {n_pixels - margin}."
            )
        if self.n_components > n_images - margin:
            raise ValueError(
                f"n_components={self.n_components} is more than the {n_images} "
                f"distinct images in X allow with svd_solver={self.svd_solver!r}; "
                f"pass n_components <= {n_images - margin} or more images."
            )

    def _batches(self, n_rows):
        for start in range(0, n_rows, self.batch_size):
            yield slice(start, min(start + self.batch_size, n_rows))

    def _encode_images(self, images):
        codes = np.empty((len(images), self.n_components), dtype=np.float32)
        with config_context(assume_finite=True):
            for rows in self._batches(len(images)):
                codes[rows] = self.pca_.transform(self._scale_pixels(images[rows]))
        return codes

    def _decode_codes(self, codes):
        n_pixels = self.image_shape_[0] * self.image_shape_[1]
        pixels = np.empty((len(codes), n_pixels), dtype=np.float32)
        for rows in self._batches(len(codes)):
            pixels[rows] = self.pca_.inverse_transform(codes[rows])
        return np.clip(pixels, 0.0, 1.0, out=pixels)

    def torch_encoder(self):
        """The encoder as a linear layer: pixels scaled to [0, 1] to codes.

        ``(pixels - data_min_) / data_range_`` is the scaling;
        ``ArithmeticMultiOutputClassifier(encoder=...)`` trains a copy of this
        layer with its heads.

        Returns
        -------
        encoder : torch.nn.Linear
            Maps ``(n, height * width)`` to ``(n, n_components)``, the
            codes :meth:`transform` gives.
        """
        weight = self.pca_.components_.astype(np.float32)
        if self.whiten:
            # The same floor on the scale as PCA.transform, for flat components.
            scale = np.sqrt(self.pca_.explained_variance_).astype(np.float32)
            scale = np.maximum(scale, np.finfo(np.float32).eps)
            weight = weight / scale[:, np.newaxis]
        layer = torch.nn.Linear(weight.shape[1], weight.shape[0])
        with torch.no_grad():
            layer.weight.copy_(torch.from_numpy(weight))
            layer.bias.copy_(torch.from_numpy(-weight @ self.pca_.mean_))
        return layer
