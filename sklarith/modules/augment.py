"""Augmentation of batches of images on their device."""

import math

import torch
from torch import nn

from ._random import generator


class RandomAffine(nn.Module):
    """Random small rotations, scalings and shifts of a batch of images.

    Each image gets its own transform, drawn from the generator of the fit
    running in this thread (torch's default generator outside a fit), and the
    whole batch is resampled at once on its device. (torchvision's
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
        draws = generator(images.device)

        def uniform(bound):
            return (
                torch.rand(n, device=images.device, generator=draws) * 2 - 1
            ) * bound

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
