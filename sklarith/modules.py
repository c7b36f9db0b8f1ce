"""PyTorch modules behind the estimators.

The estimators build these through skorch; they are public so that a fitted
estimator's ``net_.module_`` can be inspected, reused or trained by hand.
"""

import itertools
import math

import torch
from torch import nn

__all__ = [
    "ConvAutoencoder",
    "EncodedMultiHeadMLP",
    "MultiHeadCrossEntropy",
    "MultiHeadMLP",
    "RandomAffine",
]


def _conv_output_side(side, n_layers):
    """Side length after ``n_layers`` convolutions of kernel 3, stride 2, pad 1."""
    for _ in range(n_layers):
        side = (side + 1) // 2
    return side


class ConvAutoencoder(nn.Module):
    """Convolutional autoencoder for single-channel images of any size.

    The encoder stacks stride-2 convolutions (kernel 3, ReLU) and a linear
    code layer; the decoder mirrors it with transposed convolutions whose
    output padding restores the exact input size, odd sides included.

    Parameters
    ----------
    image_shape : tuple of int
        ``(height, width)`` of the images.
    n_components : int
        Size of the code.
    channels : tuple of int
        Number of filters of each convolution, from the input inwards.

    Notes
    -----
    ``forward`` takes flattened images with pixels in [0, 1] and returns
    flattened reconstruction logits, to be paired with
    :class:`torch.nn.BCEWithLogitsLoss`.
    """

    def __init__(self, image_shape=(28, 28), n_components=100, channels=(32, 64)):
        super().__init__()
        height, width = image_shape
        n_layers = len(channels)
        code_height = _conv_output_side(height, n_layers)
        code_width = _conv_output_side(width, n_layers)
        flat = channels[-1] * code_height * code_width

        encoder = [nn.Unflatten(1, (1, height, width))]
        in_channels = 1
        for out_channels in channels:
            encoder += [nn.Conv2d(in_channels, out_channels, 3, 2, 1), nn.ReLU()]
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
        return self.decoder(self.encoder(x))


def _mlp(sizes, activation):
    layers = []
    for n_in, n_out in itertools.pairwise(sizes):
        layers += [nn.Linear(n_in, n_out), activation()]
    return nn.Sequential(*layers)


class MultiHeadMLP(nn.Module):
    """A shared multilayer trunk followed by one small MLP head per output.

    Inputs are standardised inside the module with the feature means and
    scales given at construction, so that codes of any scale train alike.

    Parameters
    ----------
    n_features : int
        Width of the input.
    n_classes : sequence of int
        Number of classes of each output; one head per entry.
    hidden_layer_sizes : tuple of int
        Widths of the shared trunk.
    head_layer_sizes : tuple of int
        Widths of the hidden layers of each head, before its output layer.
    activation : type of torch.nn.Module
        Nonlinearity after every hidden layer.
    mean, scale : torch.Tensor of shape (n_features,) or None
        Input standardisation; ``None`` leaves inputs unchanged.

    Notes
    -----
    ``forward`` returns the logits of all heads concatenated along the last
    axis, so that skorch's batched inference can concatenate them; split them
    with :meth:`split`.
    """

    def __init__(
        self,
        n_features,
        n_classes,
        hidden_layer_sizes=(1000,),
        head_layer_sizes=(200,),
        activation=nn.ReLU,
        mean=None,
        scale=None,
    ):
        super().__init__()
        self.n_classes = [int(k) for k in n_classes]
        self.register_buffer(
            "mean", torch.zeros(n_features) if mean is None else torch.as_tensor(mean)
        )
        self.register_buffer(
            "scale", torch.ones(n_features) if scale is None else torch.as_tensor(scale)
        )
        self.trunk = _mlp([n_features, *hidden_layer_sizes], activation)
        width = hidden_layer_sizes[-1] if hidden_layer_sizes else n_features
        self.heads = nn.ModuleList(
            nn.Sequential(
                _mlp([width, *head_layer_sizes], activation),
                nn.Linear(head_layer_sizes[-1] if head_layer_sizes else width, k),
            )
            for k in self.n_classes
        )

    def forward(self, x):
        shared = self.trunk((x - self.mean) / self.scale)
        return torch.cat([head(shared) for head in self.heads], dim=-1)

    def split(self, logits):
        """Split concatenated logits into one tensor per output."""
        return torch.split(logits, self.n_classes, dim=-1)


class MultiHeadCrossEntropy(nn.Module):
    """Sum over outputs of the cross-entropy of each head.

    Parameters
    ----------
    n_classes : sequence of int
        Number of classes of each output, in the order of the heads.
    """

    def __init__(self, n_classes):
        super().__init__()
        self.n_classes = [int(k) for k in n_classes]

    def forward(self, logits, y):
        parts = torch.split(logits, self.n_classes, dim=-1)
        return sum(
            nn.functional.cross_entropy(part, y[:, i]) for i, part in enumerate(parts)
        )


class RandomAffine(nn.Module):
    """Random small rotations, scalings and shifts of a batch of images.

    Each image gets its own transform, drawn from torch's global generator,
    and the whole batch is resampled at once on its device. (torchvision's
    ``transforms.v2.RandomAffine`` draws one transform per call, which a
    batch would share.) In evaluation mode the module is the identity.

    Parameters
    ----------
    degrees : float
        Largest rotation, either way.
    scale : float
        Largest relative change of size, either way.
    translate : float
        Largest shift, as a fraction of the image side, either way.
    """

    def __init__(self, degrees=10.0, scale=0.1, translate=0.08):
        super().__init__()
        self.degrees = degrees
        self.scale = scale
        self.translate = translate

    def forward(self, images):
        if not self.training:
            return images
        n = len(images)

        def uniform(bound):
            return (torch.rand(n, device=images.device) * 2 - 1) * bound

        angle = uniform(math.radians(self.degrees))
        size = 1 + uniform(self.scale)
        # affine_grid measures shifts in half image sides
        shift_x, shift_y = uniform(2 * self.translate), uniform(2 * self.translate)
        cos, sin = size * torch.cos(angle), size * torch.sin(angle)
        theta = torch.stack(
            [torch.stack([cos, -sin, shift_x], 1), torch.stack([sin, cos, shift_y], 1)],
            1,
        )
        grid = nn.functional.affine_grid(theta, images.shape, align_corners=False)
        return nn.functional.grid_sample(images, grid, align_corners=False)


class EncodedMultiHeadMLP(nn.Module):
    """An image encoder applied to each image of a row, then a MultiHeadMLP.

    Rows hold several flattened images side by side. Each image is scaled
    to [0, 1], optionally augmented during training, and encoded by the same
    ``encoder``; the codes are concatenated and fed to a :class:`MultiHeadMLP`
    built from ``head_params``. Training the whole module fine-tunes the
    encoder on the heads' targets.

    Parameters
    ----------
    encoder : torch.nn.Module
        Maps (n, height * width) pixels in [0, 1] to (n, n_components) codes,
        such as ``ConvAutoencoder.encoder``.
    image_shape : tuple of int
        ``(height, width)`` of each image.
    pixel_min, pixel_span : float
        Affine map of raw pixels to [0, 1].
    augment : torch.nn.Module or None
        Applied to (n, 1, height, width) images in training mode.
    freeze_encoder : bool
        Keep the encoder's weights fixed (and in evaluation mode).
    **head_params
        Arguments of :class:`MultiHeadMLP`, whose ``n_features`` is the width
        of the concatenated codes.
    """

    def __init__(
        self,
        encoder,
        image_shape,
        pixel_min=0.0,
        pixel_span=1.0,
        augment=None,
        freeze_encoder=False,
        **head_params,
    ):
        super().__init__()
        self.encoder = encoder
        self.head = MultiHeadMLP(**head_params)
        self.image_shape = tuple(image_shape)
        self.pixel_min = pixel_min
        self.pixel_span = pixel_span
        self.augment = augment
        self.freeze_encoder = freeze_encoder
        self.encoder.requires_grad_(not freeze_encoder)

    def train(self, mode=True):
        super().train(mode)
        if self.freeze_encoder:
            self.encoder.train(False)
        return self

    def forward(self, x):
        n_rows = len(x)
        images = ((x - self.pixel_min) / self.pixel_span).clamp(0.0, 1.0)
        images = images.reshape(-1, 1, *self.image_shape)
        if self.augment is not None:
            images = self.augment(images)
        codes = self.encoder(images.flatten(1))
        return self.head(codes.reshape(n_rows, -1))

    def split(self, logits):
        """Split concatenated logits into one tensor per output."""
        return self.head.split(logits)
