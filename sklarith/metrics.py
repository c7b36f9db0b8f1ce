"""Metrics for sklarith's tasks: reconstruction errors and rounded accuracy."""

import numpy as np

_EPSILON = 1e-7


def _reconstruction(encoder, X):
    """Pixels of ``X`` and their reconstruction, both scaled to [0, 1]."""
    images, _ = encoder._validate_transform_images(X)
    target = encoder._scale_pixels(images)
    reconstructed = encoder._decode_codes(encoder._encode_images(images))
    return target, np.clip(reconstructed, 0.0, 1.0)


def reconstruction_bce(encoder, X):
    """Mean per-pixel binary cross-entropy of an encoder's reconstruction of X.

    Pixels are first mapped to [0, 1] with the range the encoder saw at fit;
    reconstructions are clipped to [1e-7, 1 - 1e-7] as Keras does, so figures
    compare with the seed's.

    Parameters
    ----------
    encoder : fitted AutoencoderTransformer or PCAEncoder
    X : array-like of shape (n_samples, k * height * width)

    Returns
    -------
    bce : float
    """
    target, reconstructed = _reconstruction(encoder, X)
    p = np.clip(reconstructed, _EPSILON, 1 - _EPSILON)
    bce = -(target * np.log(p) + (1 - target) * np.log1p(-p))
    return float(bce.mean())


def reconstruction_mse(encoder, X):
    """Mean squared error per pixel, on pixels scaled to [0, 1].

    Parameters
    ----------
    encoder : fitted AutoencoderTransformer or PCAEncoder
    X : array-like of shape (n_samples, k * height * width)

    Returns
    -------
    mse : float
    """
    target, reconstructed = _reconstruction(encoder, X)
    return float(np.mean((target - reconstructed) ** 2))
