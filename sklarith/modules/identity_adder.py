"""The convolutional network behind IdentityAdderClassifier."""

import itertools

import torch
from torch import nn

from ._layers import scale_pixels
from ._random import Dropout


class IdentityAdderNet(nn.Module):
    """Read the digit in an image and add an integer to it.

    The identity adder post's network: blocks of two convolutions (each
    followed by ReLU, batch normalisation and dropout), max pooling between
    blocks, global average pooling and a linear embedding of the image; the embedding,
    concatenated with the one-hot integer, goes through fully connected
    layers to two heads, the digit (10 classes) and the sum (19 classes).

    Parameters
    ----------
    image_shape : tuple of int
        ``(height, width)`` of the images.
    channels : tuple of int
        Filters of both convolutions of each block, from the input inwards.
    n_components : int
        Size of the embedding of the image.
    hidden_layer_sizes : tuple of int
        Widths of the fully connected layers after the concatenation.
    dropout : float
        Dropout probability after each convolution.
    data_min, data_range : float
        The range of the raw pixels, which are mapped to [0, 1] (the range an
        encoder saw at fit).
    augment : torch.nn.Module or None
        Applied to (n, 1, height, width) images in training mode, such as
        :class:`~sklarith.modules.RandomAffine`.

    Notes
    -----
    ``forward`` takes rows of the flattened pixels followed by the integer
    (0-9) and returns the logits of the digit and of the sum concatenated
    along the last axis, as :class:`~sklarith.modules.MultiHeadCrossEntropy`
    expects.
    """

    n_integers = 10
    n_classes = (10, 19)

    def __init__(
        self,
        image_shape=(28, 28),
        channels=(8, 16, 32),
        n_components=20,
        hidden_layer_sizes=(64, 64),
        dropout=0.05,
        data_min=0.0,
        data_range=1.0,
        augment=None,
    ):
        super().__init__()
        self.image_shape = tuple(image_shape)
        self.data_min = data_min
        self.data_range = data_range
        self.augment = augment

        layers = []
        in_channels = 1
        for block, out_channels in enumerate(channels):
            if block:
                # ceil_mode keeps odd sides (7 -> 4) and 1x1 images valid
                layers.append(nn.MaxPool2d(2, ceil_mode=True))
            for _ in range(2):
                layers += [
                    nn.Conv2d(in_channels, out_channels, 3, padding=1),
                    nn.ReLU(),
                    nn.BatchNorm2d(out_channels),
                ]
                if dropout:
                    layers.append(Dropout(dropout))
                in_channels = out_channels
        layers += [
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
            nn.Linear(in_channels, n_components),
        ]
        self.image_embedding = nn.Sequential(*layers)

        sizes = [n_components + self.n_integers, *hidden_layer_sizes]
        dense = []
        for n_in, n_out in itertools.pairwise(sizes):
            dense += [nn.Linear(n_in, n_out), nn.ReLU()]
        self.dense = nn.Sequential(*dense)
        self.heads = nn.ModuleList(nn.Linear(sizes[-1], k) for k in self.n_classes)

    def forward(self, x):
        pixels, integer = x[:, :-1], x[:, -1]
        images = scale_pixels(pixels, self.data_min, self.data_range)
        images = images.reshape(-1, 1, *self.image_shape)
        if self.augment is not None:
            images = self.augment(images)
        one_hot = nn.functional.one_hot(integer.long(), self.n_integers)
        features = torch.cat([self.image_embedding(images), one_hot.to(x.dtype)], 1)
        shared = self.dense(features)
        return torch.cat([head(shared) for head in self.heads], dim=-1)
