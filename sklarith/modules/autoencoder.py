"""The convolutional autoencoder behind AutoencoderTransformer."""

import torch
from torch import nn

from ._random import Dropout

#: Share of a stacked stage's outputs dropped in training, as in the
#: supervised CNNs whose recipe ``architecture="stacked"`` follows.
_STAGE_DROPOUT = 0.4


def _conv_output_side(side, n_layers):
    """Side length after ``n_layers`` stride-2 convolutions of odd kernel k and
    padding (k - 1) / 2, as both architectures use."""
    for _ in range(n_layers):
        side = (side + 1) // 2
    return side


def _batch_norm_conv(in_channels, out_channels, kernel_size, stride):
    """Convolution (same padding), batch normalisation, ReLU."""
    return [
        nn.Conv2d(
            in_channels,
            out_channels,
            kernel_size,
            stride,
            kernel_size // 2,
            bias=False,
        ),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(),
    ]


def _encoder_stage(architecture, in_channels, out_channels):
    """The layers of one stage of the encoder, which halves the image sides."""
    if architecture == "strided":
        return [nn.Conv2d(in_channels, out_channels, 3, 2, 1), nn.ReLU()]
    return [
        *_batch_norm_conv(in_channels, out_channels, 3, 1),
        *_batch_norm_conv(out_channels, out_channels, 3, 1),
        *_batch_norm_conv(out_channels, out_channels, 5, 2),
        Dropout(_STAGE_DROPOUT),
    ]


class ConvAutoencoder(nn.Module):
    """Convolutional autoencoder for single-channel images of any size.

    The encoder is a stage per entry of ``channels``, each halving the image
    sides, and a linear code layer; the decoder mirrors the stages with
    transposed convolutions (kernel 3, stride 2) whose output padding
    restores the exact input size, odd sides included.

    ``architecture="strided"``: a stage is one stride-2 convolution (kernel 3,
    ReLU), the autoencoder of the arithmetic post. ``"stacked"``: two 3×3
    convolutions and a stride-2 5×5 convolution in place of pooling, each
    with batch normalisation and ReLU, then dropout of 40 %: the recipe of the
    small supervised CNNs that read about 99.65 % of MNIST test digits. Its
    batch normalisation works per image, so an image's code does not depend
    on the row or the batch it is in once the module is in evaluation mode.

    With ``augment``, training encodes a randomly transformed copy of each
    image and reconstructs the image itself (a denoising autoencoder): codes
    that must undo a small shift or rotation keep what the image shows
    rather than where its strokes fall.

    Parameters
    ----------
    image_shape : tuple of int
        ``(height, width)`` of the images.
    n_components : int
        Size of the code.
    channels : tuple of int
        Number of filters of each stage, from the input inwards.
    architecture : {"strided", "stacked"}
        The layers of a stage of the encoder, as above.
    augment : torch.nn.Module or None
        Applied to (n, 1, height, width) images in training mode, before
        they are encoded; the target stays the image as given.

    Notes
    -----
    ``forward`` takes flattened images with pixels in [0, 1] and returns
    flattened reconstruction logits, to be paired with
    :class:`torch.nn.BCEWithLogitsLoss`.
    """

    def __init__(
        self,
        image_shape=(28, 28),
        n_components=100,
        channels=(32, 64),
        architecture="strided",
        augment=None,
    ):
        super().__init__()
        height, width = image_shape
        self.image_shape = (height, width)
        self.augment = augment
        n_layers = len(channels)
        code_height = _conv_output_side(height, n_layers)
        code_width = _conv_output_side(width, n_layers)
        flat = channels[-1] * code_height * code_width

        encoder = [nn.Unflatten(1, (1, height, width))]
        in_channels = 1
        for out_channels in channels:
            encoder += _encoder_stage(architecture, in_channels, out_channels)
            in_channels = out_channels
        encoder += [nn.Flatten(), nn.Linear(flat, n_components)]
        self.encoder = nn.Sequential(*encoder)

        sides = [
            (_conv_output_side(height, i), _conv_output_side(width, i))
            for i in range(n_layers + 1)
        ]
        decoder = [
            nn.Linear(n_components, flat),
            nn.ReLU(),
            nn.Unflatten(1, (channels[-1], code_height, code_width)),
        ]
        outputs = [*reversed(channels[:-1]), 1]
        in_channels = channels[-1]
        for i, out_channels in enumerate(outputs):
            (in_h, in_w), (out_h, out_w) = sides[n_layers - i], sides[n_layers - i - 1]
            padding = (out_h - (2 * in_h - 1), out_w - (2 * in_w - 1))
            decoder.append(
                nn.ConvTranspose2d(
                    in_channels, out_channels, 3, 2, 1, output_padding=padding
                )
            )
            if out_channels != 1:
                decoder.append(nn.ReLU())
            in_channels = out_channels
        decoder.append(nn.Flatten())
        self.decoder = nn.Sequential(*decoder)

    def encode(self, x):
        """Codes of flattened images ``x`` of shape (n, height * width)."""
        return self.encoder(x)

    def decode(self, codes):
        """Reconstructed pixels in [0, 1] from ``codes``."""
        return torch.sigmoid(self.decoder(codes))

    def forward(self, x):
        if self.augment is not None and self.training:
            x = self.augment(x.reshape(-1, 1, *self.image_shape)).flatten(1)
        return self.decoder(self.encoder(x))
