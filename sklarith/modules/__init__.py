"""PyTorch modules behind the estimators.

The estimators build these through skorch; they are public so that a fitted
estimator's ``net_.module_`` can be inspected, reused or trained by hand.
"""

from .augment import RandomAffine
from .autoencoder import ConvAutoencoder
from .identity_adder import IdentityAdderNet
from .multihead import EncodedMultiHeadMLP, MultiHeadCrossEntropy, MultiHeadMLP

__all__ = [
    "ConvAutoencoder",
    "EncodedMultiHeadMLP",
    "IdentityAdderNet",
    "MultiHeadCrossEntropy",
    "MultiHeadMLP",
    "RandomAffine",
]
