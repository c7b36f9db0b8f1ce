"""PyTorch modules behind the estimators.

The estimators build these through skorch; they are public so that a fitted
estimator's ``net_.module_`` can be inspected, reused or trained by hand.
"""

from .adder import AdderMLP, AdderMSELoss
from .augment import RandomAffine
from .autoencoder import ConvAutoencoder
from .digit_arithmetic import ArithmeticLikelihood, DigitCrossEntropy, DigitMLP
from .identity_adder import IdentityAdderNet
from .multihead import EncodedHead, MultiHeadCrossEntropy, MultiHeadMLP

__all__ = [
    "AdderMLP",
    "AdderMSELoss",
    "ArithmeticLikelihood",
    "ConvAutoencoder",
    "DigitCrossEntropy",
    "DigitMLP",
    "EncodedHead",
    "IdentityAdderNet",
    "MultiHeadCrossEntropy",
    "MultiHeadMLP",
    "RandomAffine",
]
