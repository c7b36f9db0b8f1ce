"""DeepProbLog's own MNIST addition at N = 1, timed: the peer side of
``benchmarks/peer_deepproblog.py``.

It runs under DeepProbLog's virtual environment (``.peer-env/deepproblog``,
which ``peer_deepproblog.py`` makes) and imports nothing of sklarith. What it trains is
the example that the ``deepproblog`` wheel ships,
``deepproblog/examples/MNIST/addition.py``, with ``method = "exact"`` and
``N = 1``: its network (``MNIST_Net``, wrapped with ``batching=True``), its
program (``models/addition.pl``), Adam at a learning rate of 1e-3, batches
of two queries in the order of the training set, exact inference with the
engine's cache. Three things differ from the example, none of them in what
it learns:

- MNIST is read from ``--data-home`` (the folder that holds ``MNIST/raw``,
  torchvision's layout) with ``download=False``: the example's data module
  builds its data sets with ``download=True`` under the installed package,
  so it is imported here with torchvision's MNIST pointed at
  ``--data-home``, which torchvision only reads.
- The pairs of images come from ``--pairs`` (the JSON that
  ``peer_deepproblog.py`` writes: the training and test pairs of sklarith's
  side, each image used once), so that both systems train and are scored on
  the same rows; without it, the example's own pairs (consecutive images).
- Training stops after ``--budget-seconds`` of training or ``--max-epochs``
  epochs, whichever comes first (the example trains one epoch), and the
  test accuracy of the sum is measured before training, every
  ``--eval-every`` epochs and at the end, the training clock stopped
  meanwhile. DeepProbLog's own evaluation (``get_confusion_matrix``) solves
  one query at a time, a weighted model count per possible sum: on the
  5,000 test pairs it takes far longer than the training between two
  points. The points are computed instead from the network's digit distributions in
  one batched pass, by the program's exact semantics (the most probable
  sum); at the end, DeepProbLog's own inference answers the first
  ``--check-rows`` test pairs, and the curve records on how many of them it
  gives the same sum.

The network's initial weights come from ``torch.manual_seed(random_state)``
(the example sets no seed). The curve is written to ``--output`` as JSON
after every point, with ``"complete": true`` once the check is done.

Run:  .peer-env/deepproblog/bin/python benchmarks/_deepproblog_mnist_addition.py
      --output CURVE.json --data-home DIR [--pairs PAIRS.json]
      [--budget-seconds S] [--max-epochs E] [--eval-every F]
      [--check-rows N] [--random-state R]
"""

import argparse
import json
import math
import os
import platform
import sys
import time
from importlib import metadata
from pathlib import Path
from unittest import mock

import torch
import torchvision


class Clock:
    """Seconds of training: runs while training, stopped while evaluating."""

    def __init__(self):
        self.elapsed = 0.0
        self.started = None

    def start(self):
        self.started = time.perf_counter()

    def stop(self):
        self.elapsed += time.perf_counter() - self.started
        self.started = None

    def seconds(self):
        running = 0.0 if self.started is None else time.perf_counter() - self.started
        return self.elapsed + running


def example_data(data_home):
    """The example's data module, its MNIST data sets read from ``data_home``.

    The module builds ``torchvision.datasets.MNIST(root=<its own folder>,
    download=True)`` when imported; here that class reads ``data_home``
    instead and never downloads, which leaves the files as they are
    (torchvision reads ``MNIST/raw`` and writes nothing when not
    downloading).
    """

    # Named MNIST: torchvision finds the files under <root>/<class name>/raw.
    class MNIST(torchvision.datasets.MNIST):
        def __init__(
            self,
            root,
            train=True,
            transform=None,
            target_transform=None,
            download=False,
        ):
            super().__init__(
                data_home,
                train=train,
                transform=transform,
                target_transform=target_transform,
                download=False,
            )

    with mock.patch.object(torchvision.datasets, "MNIST", MNIST):
        from deepproblog.examples.MNIST import data
    return data


def use_pairs(dataset, pairs, sums, labels):
    """Make ``dataset`` (the example's addition data set) hold ``pairs`` of
    image indices, after checking that their digits add up to ``sums``."""
    pairs = torch.as_tensor(pairs)
    found = labels[pairs[:, 0]] + labels[pairs[:, 1]]
    if not torch.equal(found, torch.as_tensor(sums)):
        raise ValueError(
            "The pairs' sums differ from the digits of these MNIST files: "
            "--pairs was made from other files than --data-home holds."
        )
    dataset.data = [[[int(a)], [int(b)]] for a, b in pairs.tolist()]


def pair_images(data, test_set):
    """The two images of every test row, as the example's data set gives
    them to the network (its transform applied): two tensors of shape
    (n_rows, 1, 28, 28)."""
    images = data.datasets["test"]
    return tuple(
        torch.stack([images[row[side][0]][0] for row in test_set.data])
        for side in (0, 1)
    )


def predicted_sums(network, images):
    """The most probable sum of every test row under the program's exact
    semantics: P(sum = s) is the sum over digits a + b = s of
    P(a) P(b), the network's distributions of the two images; the argmax is
    what DeepProbLog's exact inference answers to ``addition(A, B, S)``, in
    one batched forward pass instead of one query at a time."""
    was_training = network.training
    network.eval()
    with torch.no_grad():
        first, second = network(images[0]), network(images[1])
    network.train(was_training)
    joint = (first[:, :, None] * second[:, None, :]).reshape(len(first), -1)
    digits = torch.arange(10)
    sum_of = (digits[:, None] + digits[None, :]).reshape(-1)
    by_sum = torch.zeros(len(first), 19).index_add_(1, sum_of, joint)
    return by_sum.argmax(dim=1)


def deepproblog_sums(model, test_set, n_rows):
    """The sums DeepProbLog's own inference answers for the first
    ``n_rows`` test rows, as its ``get_confusion_matrix`` finds them."""
    model.eval()
    sums = []
    for query in test_set.to_queries()[:n_rows]:
        answer = model.solve([query.variable_output()])[0]
        best = max(answer.result, key=lambda term: answer.result[term])
        sums.append(int(best.args[query.output_ind[0]]))
    model.train()
    return torch.tensor(sums)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--output", required=True, help="the curve's JSON file")
    parser.add_argument("--pairs", help="JSON of training and test pairs")
    # Required: scikit-learn, which knows where its data home is, is not in
    # this environment; peer_deepproblog.py passes its own.
    parser.add_argument(
        "--data-home", required=True, help="the folder that holds MNIST/raw"
    )
    parser.add_argument("--budget-seconds", type=float, help="default: no limit")
    parser.add_argument("--max-epochs", type=float, help="default: no limit")
    parser.add_argument("--eval-every", type=float, default=0.05, metavar="EPOCHS")
    parser.add_argument(
        "--check-rows",
        type=int,
        help="test rows that DeepProbLog's own inference answers at the end, "
        "to check the batched evaluation against (default: all)",
    )
    parser.add_argument("--random-state", type=int, default=0)
    args = parser.parse_args()

    # Imported here: peer_deepproblog.py imports this module for its clock,
    # in sklarith's environment, which has no DeepProbLog.
    from deepproblog.dataset import DataLoader
    from deepproblog.engines import ExactEngine
    from deepproblog.examples import MNIST as example
    from deepproblog.examples.MNIST.network import MNIST_Net
    from deepproblog.model import Model
    from deepproblog.network import Network
    from deepproblog.train import TrainObject
    from deepproblog.utils.stop_condition import StopCondition

    data = example_data(args.data_home)
    train_set = data.addition(1, "train")
    test_set = data.addition(1, "test")
    if args.pairs:
        pairs = json.loads(Path(args.pairs).read_text())
        for dataset, subset in ((train_set, "train"), (test_set, "test")):
            use_pairs(
                dataset,
                pairs[subset]["pairs"],
                pairs[subset]["sums"],
                data.datasets[subset].targets,
            )
    images = pair_images(data, test_set)
    test_pairs = torch.tensor(test_set.data)[:, :, 0]
    true_sums = data.datasets["test"].targets[test_pairs].sum(dim=1)

    # The example, as it builds its model and its loader.
    torch.manual_seed(args.random_state)
    network = MNIST_Net()
    net = Network(network, "mnist_net", batching=True)
    lr = 1e-3
    net.optimizer = torch.optim.Adam(network.parameters(), lr=lr)
    model = Model(Path(example.__file__).parent / "models" / "addition.pl", [net])
    model.set_engine(ExactEngine(model), cache=True)
    model.add_tensor_source("train", data.MNIST_train)
    model.add_tensor_source("test", data.MNIST_test)
    batch_size = 2
    loader = DataLoader(train_set, batch_size, False)

    iterations_per_epoch = len(loader)
    eval_every = max(1, round(args.eval_every * iterations_per_epoch))
    curve = {
        "system": "DeepProbLog",
        "settings": {
            "random_state": args.random_state,
            "budget_seconds": args.budget_seconds,
            "max_epochs": args.max_epochs,
            "eval_every_iterations": eval_every,
            "batch_size": batch_size,
            "lr": lr,
            "engine": "exact, cached",
            "n_train_rows": len(train_set),
            "n_test_rows": len(test_set),
            "pairs": "sklarith's" if args.pairs else "the example's",
        },
        "versions": {
            "python": platform.python_version(),
            **{
                name: metadata.version(name)
                for name in ("deepproblog", "problog", "pysdd", "torch")
            },
        },
        "torch_threads": torch.get_num_threads(),
        "points": [],
        "complete": False,
    }
    clock = Clock()
    budget_seconds = math.inf if args.budget_seconds is None else args.budget_seconds
    max_epochs = math.inf if args.max_epochs is None else args.max_epochs

    def evaluate(iterations):
        """Add a point to the curve, the training clock stopped meanwhile."""
        clock.stop()
        start = time.perf_counter()
        accuracy = (predicted_sums(network, images) == true_sums).float().mean()
        point = {
            "iterations": iterations,
            "epochs": iterations / iterations_per_epoch,
            "seconds": clock.seconds(),
            "accuracy": float(accuracy),
            "evaluation_seconds": time.perf_counter() - start,
        }
        curve["points"].append(point)
        print(json.dumps(point), flush=True)
        write(curve, args.output)
        clock.start()

    def every_iteration(train_object):
        # TrainObject counts from 1 and adds one before each batch.
        done = train_object.i - 1
        if done % eval_every == 0:
            evaluate(done)

    class Budget(StopCondition):
        def __str__(self):
            return f"for {budget_seconds:g} s or {max_epochs:g} epoch(s)"

        def is_stop(self, train_object):
            epochs = (train_object.i - 1) / iterations_per_epoch
            return clock.seconds() >= budget_seconds or epochs >= max_epochs

    trainer = TrainObject(model)
    trainer.hooks.append((1, every_iteration))
    clock.start()
    evaluate(0)
    trainer.train(loader, Budget(), log_iter=100)
    iterations = trainer.i - 1
    if curve["points"][-1]["iterations"] != iterations:
        evaluate(iterations)
    clock.stop()
    curve["seconds"] = clock.seconds()
    curve["iterations"] = iterations
    curve["iterations_per_second"] = iterations / curve["seconds"]

    # The batched evaluation must answer what DeepProbLog's inference does.
    n_rows = min(len(test_set), args.check_rows or len(test_set))
    start = time.perf_counter()
    theirs = deepproblog_sums(model, test_set, n_rows)
    ours = predicted_sums(network, images)[:n_rows]
    curve["check"] = {
        "rows": n_rows,
        "same_sum": int((theirs == ours).sum()),
        "deepproblog_accuracy": float((theirs == true_sums[:n_rows]).float().mean()),
        "batched_accuracy": float((ours == true_sums[:n_rows]).float().mean()),
        "seconds": time.perf_counter() - start,
    }
    print(json.dumps(curve["check"]), flush=True)
    curve["complete"] = True
    write(curve, args.output)


def write(curve, path):
    """Write ``curve`` through a rename, so that a reader never sees half."""
    path = Path(path)
    temporary = path.with_name(f".{path.name}.partial")
    temporary.write_text(json.dumps(curve, indent=2) + "\n")
    os.replace(temporary, path)


if __name__ == "__main__":
    sys.exit(main())
