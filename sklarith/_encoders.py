"""The image-encoder base: rows of images in, codes per image out."""

from abc import ABCMeta, abstractmethod

import numpy as np
import torch
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils import assert_all_finite
from sklearn.utils._set_output import ADAPTERS_MANAGER, _get_output_config
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from .base import CallbackSupportMixin, DocLinkMixin, restored_on_error
from .modules._layers import scale_pixels
from .utils._distinct import distinct_rows, value_range
from .utils._validation import (
    check_image_shape,
    check_pixel_range,
    count_images_per_row,
)

#: Reconstructions are clipped to [eps, 1 - eps] in the cross-entropy, as
#: Keras does, so that figures compare with the seed's.
_EPSILON = 1e-7


class ImageEncoder(
    CallbackSupportMixin,
    DocLinkMixin,
    TransformerMixin,
    BaseEstimator,
    metaclass=ABCMeta,
    auto_wrap_output_keys=None,
):
    """Rows of images in, codes per image out: what every encoder shares.

    A row of ``X`` holds one or several flattened images of ``image_shape``
    side by side; each image is encoded on its own and the codes are
    concatenated in the same order, under the names ``image0_code0, ...,
    image1_code0, ...``. The number of images per row may differ from fit
    (an encoder fitted on single images encodes pairs), and so do the names.

    Pixels may be in any range: the range seen at fit (``data_min_``,
    ``data_range_``) is mapped to [0, 1], and pixels beyond it are clipped.
    ``transform`` and ``score`` warn when the pixels given lie beyond that
    range by more than its width (0-255 images into an encoder fitted on
    [0, 1]). Each distinct image counts once at fit, however many rows repeat
    it, and is encoded once at transform.

    Fine-tuning protocol: :meth:`torch_encoder` returns a copy of the fitted
    encoder as a torch module on pixels scaled to [0, 1], and
    ``(pixels - data_min_) / data_range_`` is that scaling.

    scikit-learn's ``set_output`` would name the codes after the row width
    seen at fit, so this class wraps its output itself (``_wrap_codes``): it
    is declared without scikit-learn's automatic wrapping, and its concrete
    subclasses, declared with it, get ``set_output`` but define no
    ``transform`` for scikit-learn to wrap.

    Subclasses implement ``_fit_distinct_images`` (the validated distinct
    images in, ``self`` out), ``_encode_images`` and ``_decode_codes`` on
    pixels scaled to [0, 1], and :meth:`torch_encoder`.
    """

    @abstractmethod
    def _fit_distinct_images(self, images):
        """Fit on the distinct images, in their original range; return self."""

    @abstractmethod
    def _encode_images(self, images):
        """Codes (n, n_components) of images (n, n_pixels) in the fit's range."""

    @abstractmethod
    def _decode_codes(self, codes):
        """Pixels scaled to [0, 1] (n, n_pixels) of codes (n, n_components)."""

    @abstractmethod
    def torch_encoder(self):
        """A copy of the fitted encoder as a torch module.

        It maps a batch of flattened images, ``(n, height * width)`` pixels
        scaled to [0, 1] by ``(pixels - data_min_) / data_range_``, to their
        ``(n, n_components)`` codes. Training the copy leaves this encoder as
        it is; :class:`~sklarith.ArithmeticMultiOutputClassifier` fine-tunes
        one with its heads.

        Returns
        -------
        encoder : torch.nn.Module
        """

    def _validate_fit_images(self, X):
        """Validate ``X`` at fit; return its distinct images, flattened, and
        for each image of ``X`` the index of its distinct image."""
        # NaN and infinity are caught with the distinct images.
        X = validate_data(self, X, dtype=np.float32, ensure_all_finite=False)
        self.image_shape_ = check_image_shape(self.image_shape)
        n_pixels = self.image_shape_[0] * self.image_shape_[1]
        count_images_per_row(X.shape[1], self.image_shape_, type(self).__name__)
        distinct, inverse, (low, high) = self._find_distinct_images(
            X.reshape(-1, n_pixels)
        )
        self.data_min_ = float(low)
        self.data_max_ = float(high)
        self.data_range_ = (self.data_max_ - self.data_min_) or 1.0
        return distinct, inverse

    def _find_distinct_images(self, images):
        """The distinct images of ``images``, for each image the index of its
        distinct image, and the pixels' ``(minimum, maximum)``.

        NaN and infinity are refused here. Every image has the bytes of one
        of the distinct images, so the range of the distinct images is that of
        all the pixels, and a NaN anywhere shows in it.
        """
        first, inverse = distinct_rows(images)
        distinct = images[first] if len(first) < len(images) else images
        low, high = value_range(distinct)
        if not (np.isfinite(low) and np.isfinite(high)):
            assert_all_finite(
                distinct, estimator_name=type(self).__name__, input_name="X"
            )
        return distinct, inverse, (low, high)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit the encoder on the distinct images in ``X``.

        Each distinct image counts once, however many rows repeat it.

        Parameters
        ----------
        X : array-like of shape (n_samples, k * height * width)
            Rows of ``k`` flattened images.
        y : None
            Ignored; present for API consistency.

        Returns
        -------
        self : object
            The fitted encoder.
        """
        with restored_on_error(self):
            images, _ = self._validate_fit_images(X)
            return self._fit_distinct_images(images)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, X, y=None):
        """Fit the encoder on ``X``, then encode ``X``.

        The same as ``fit(X).transform(X)``, but the distinct images are
        found once: in a Pipeline fitted on a million pairs, this saves a
        second pass over the pixels.

        Parameters
        ----------
        X : array-like of shape (n_samples, k * height * width)
            Rows of ``k`` flattened images.
        y : None
            Ignored; present for API consistency.

        Returns
        -------
        codes : ndarray of shape (n_samples, k * n_components)
            float32 codes, image by image.
        """
        with restored_on_error(self):
            images, inverse = self._validate_fit_images(X)
            self._fit_distinct_images(images)
        images_per_row = self.n_features_in_ // images.shape[1]
        codes = self._encode_distinct(images, inverse)
        return self._wrap_codes(
            codes.reshape(-1, images_per_row * self.n_components), X
        )

    def _encode_distinct(self, distinct, inverse):
        """Codes of every image, from its distinct image's code."""
        codes = self._encode_images(distinct)
        if len(distinct) == len(inverse):
            return codes
        # A million pairs' codes take 800 MB; torch gathers them on all its
        # threads, faster than NumPy's single-threaded indexing.
        return torch.index_select(
            torch.from_numpy(codes), 0, torch.from_numpy(inverse)
        ).numpy()

    def _validate_transform_images(self, X, ensure_all_finite=True):
        """Validate ``X`` after fit; return its images and the row count.

        A row may hold a different number of images than at fit, but each
        image must be of the size seen at fit.
        """
        shape = getattr(X, "shape", ())
        options = {"dtype": np.float32, "ensure_all_finite": ensure_all_finite}
        if len(shape) == 2 and shape[1] != self.n_features_in_:
            X = check_array(X, input_name="X", **options)
        else:
            X = validate_data(self, X, reset=False, **options)
        count_images_per_row(
            X.shape[1], self.image_shape_, type(self).__name__, self.n_features_in_
        )
        n_pixels = self.image_shape_[0] * self.image_shape_[1]
        return X.reshape(-1, n_pixels), X.shape[0]

    def _scale_pixels(self, pixels):
        """Map pixels from the range seen at fit to [0, 1], clipping outliers."""
        return scale_pixels(
            np.asarray(pixels, dtype=np.float32),
            np.float32(self.data_min_),
            np.float32(self.data_range_),
        )

    def _unscale_pixels(self, scaled):
        return scaled * np.float32(self.data_range_) + np.float32(self.data_min_)

    def transform(self, X):
        """Encode each image of each row and concatenate the codes.

        Parameters
        ----------
        X : array-like of shape (n_samples, k * height * width)
            Rows of ``k`` flattened images of the size seen at fit; ``k``
            need not be the same as at fit.

        Returns
        -------
        codes : ndarray of shape (n_samples, k * n_components)
            float32 codes, image by image; a DataFrame with the names of
            :meth:`get_feature_names_out` for these ``k`` images under
            ``set_output(transform="pandas")``.
        """
        check_is_fitted(self)
        # NaN and infinity are caught with the distinct images.
        images, n_rows = self._validate_transform_images(X, ensure_all_finite=False)
        distinct, inverse, (low, high) = self._find_distinct_images(images)
        check_pixel_range(low, high, self, type(self).__name__)
        codes = self._encode_distinct(distinct, inverse).reshape(n_rows, -1)
        return self._wrap_codes(codes, X)

    def _wrap_codes(self, codes, X):
        """``codes`` in the container chosen by ``set_output``, named after
        the images of each row (what scikit-learn's own wrapping would do
        with the names of the fit's row width)."""
        container = _get_output_config("transform", self)["dense"]
        if container == "default":
            return codes
        n_images = codes.shape[1] // self.n_components
        names = self._code_names(n_images)
        adapter = ADAPTERS_MANAGER.adapters[container]
        return adapter.create_container(codes, X, columns=names)

    def inverse_transform(self, X):
        """Reconstruct pixels, in the range seen at fit, from codes.

        Parameters
        ----------
        X : array-like of shape (n_samples, k * n_components)
            Codes as returned by :meth:`transform`.

        Returns
        -------
        pixels : ndarray of shape (n_samples, k * height * width)
        """
        check_is_fitted(self)
        X = check_array(X, dtype=np.float32, input_name="X")
        if X.shape[1] % self.n_components:
            raise ValueError(
                f"X has {X.shape[1]} features, but {type(self).__name__} expects "
                f"codes of whole images: a multiple of n_components="
                f"{self.n_components}."
            )
        codes = X.reshape(-1, self.n_components)
        pixels = self._unscale_pixels(self._decode_codes(codes))
        return pixels.reshape(X.shape[0], -1)

    def score(self, X, y=None):
        """Negative mean per-pixel binary cross-entropy of the reconstruction.

        Pixels are mapped to [0, 1] with the range seen at fit, and
        reconstructions are clipped to [1e-7, 1 - 1e-7] as Keras does. Higher
        is better, as scikit-learn's model selection expects; see
        :func:`sklarith.metrics.reconstruction_bce`.

        Parameters
        ----------
        X : array-like of shape (n_samples, k * height * width)
            Rows of images.
        y : None
            Ignored.

        Returns
        -------
        score : float
        """
        check_is_fitted(self)
        images, _ = self._validate_transform_images(X)
        check_pixel_range(*value_range(images), self, type(self).__name__)
        target = self._scale_pixels(images)
        reconstructed = self._decode_codes(self._encode_images(images))
        p = np.clip(reconstructed, _EPSILON, 1 - _EPSILON)
        bce = -(target * np.log(p) + (1 - target) * np.log1p(-p))
        return -float(bce.mean())

    def _code_names(self, n_images):
        return np.asarray(
            [
                f"image{i}_code{j}"
                for i in range(n_images)
                for j in range(self.n_components)
            ],
            dtype=object,
        )

    def get_feature_names_out(self, input_features=None):
        """Names of the codes: ``image0_code0, ..., image1_code99`` for pairs.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Names of the input pixels. ``None`` or the names seen at fit give
            the names of the codes of a row as wide as at fit; other names
            give those of a row of ``len(input_features)`` pixels, whatever
            number of images it holds.

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        check_is_fitted(self)
        n_features = self.n_features_in_
        if input_features is not None:
            expected = getattr(self, "feature_names_in_", None)
            if expected is not None and list(input_features) != list(expected):
                raise ValueError(
                    "input_features is not equal to the features seen at fit."
                )
            n_features = len(input_features)
        n_images = count_images_per_row(
            n_features, self.image_shape_, type(self).__name__, self.n_features_in_
        )
        return self._code_names(n_images)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]
        tags.target_tags.required = False
        return tags
