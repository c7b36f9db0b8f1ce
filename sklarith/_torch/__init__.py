"""The training engine that skorch drives, known to no user.

- :mod:`.data`: whole tensors in memory, served to skorch batch by batch;
- :mod:`.net`: the skorch net (mixed precision), training under a seed and
  batched inference;
- :mod:`.spec`: :class:`NetSpec`, everything that decides how a net is built
  and trained, and :func:`build_net`, which turns it into a skorch net;
- :mod:`.scoring`: per-epoch validation scores;
- :mod:`.persistence`: a fitted net as plain data (its weights as
  ``torch.save`` bytes), which pickle and skops persist, and back;
- :mod:`.callbacks`: what every net trains with (stopping on a diverged
  loss, the warning that ``max_epochs`` cut an improving loss, the report of
  each epoch to scikit-learn's callbacks), and the ``"sklarith.training"``
  logger that verbose output goes through.

This package knows torch, skorch and the modules' random streams
(:mod:`sklarith.modules._random`), and nothing of the scikit-learn estimators
that use it.
"""

from .data import InMemoryDataset, to_tensor
from .net import exclusive_global_generator, fit_net, infer_batches
from .scoring import valid_subset_accuracy
from .spec import NetSpec, build_net

__all__ = [
    "InMemoryDataset",
    "NetSpec",
    "build_net",
    "exclusive_global_generator",
    "fit_net",
    "infer_batches",
    "to_tensor",
    "valid_subset_accuracy",
]
