"""A first digit for every image, from a clustering matched to the results.

The arithmetic head learns digits from results alone. From random weights,
the results of long sums say almost nothing about any one image: every digit
of the sum depends on a carry that the other images decide, so the gradient
of a network that does not yet tell digits apart is close to zero (the cold
start). A clustering of the images' features needs no label; the results
then say which digit each cluster is. Two starts do this:

- :func:`cluster_digits` clusters the features themselves into many small
  clusters and finds the digit of each that makes the observed results most
  likely under exact arithmetic (the structure's likelihood, maximised over
  a soft cluster-to-digit table from a few random starts). Results that
  each depend on a few images pin every cluster's digit.
- :func:`umap_digits` first embeds the features with UMAP, whose
  neighbour graph follows the shape of each digit's images, and fits ten
  Gaussian clusters there, nearly one per digit (the most likely of several
  mixtures); it then names the ten clusters by a local search over hard
  tables under the same likelihood.
  A sum of many digits is nearly normal: its likelihood pins the *mean*
  digit of a cluster rather than its digit, so many small clusters, each
  with a few images of other digits, settle one digit off, where ten
  nearly pure ones each hold thousands of images and are named right.

Either gives the network a first digit for every image to learn from
before the results alone take over.
"""

import itertools

import numpy as np
import torch
from sklearn.cluster import KMeans
from sklearn.mixture import GaussianMixture

from .structures import N_DIGITS

#: Clusters of the images' features: several per digit, so that each holds
#: nearly one digit only, where ten clusters would merge digits that look
#: alike.
N_CLUSTERS = 40

#: Random starts of the cluster-to-digit table, fitted side by side; the most
#: likely is kept. A start may settle on a wrong table (digits read one off,
#: whose sums are mostly right too), less likely than the true one: with
#: sixteen starts, one nearly always finds the true table.
N_STARTS = 16

#: Adam steps on the table from each start, and their learning rate.
N_STEPS = 200
STEP_SIZE = 0.1

#: Rows whose results the tables are fitted on, at most: enough to tell 40
#: clusters apart, few enough to take seconds.
MAX_ROWS = 1_000

#: The UMAP embedding of :func:`umap_digits`: as many dimensions as digits,
#: neighbourhoods of 20 images, points packed tightly (``min_dist=0``), as
#: clustering after UMAP wants them (McConville et al., "N2D", 2020).
UMAP_PARAMS = {"n_components": N_DIGITS, "n_neighbors": 20, "min_dist": 0.0}

#: Starts of the Gaussian mixture of the embedding; the mixture most likely
#: under the embedding itself is kept. One start may merge two digits into
#: one cluster and split a third in two, a start the results cannot correct:
#: ten clusters named by distinct digits then misread a whole digit.
N_MIXTURE_STARTS = 8

#: Random starts of the local search that names the ten clusters.
N_SEARCH_STARTS = 4

#: The share of a cluster's images that a hard table reads as other digits:
#: the clusters are nearly, not wholly, pure, and a table without it would
#: make one misread image rule a row out.
TABLE_IMPURITY = 0.05


def cluster_digits(features, structure, y, random_state):
    """A digit for every image of every row, learnt without digit labels.

    Parameters
    ----------
    features : ndarray of shape (n_rows, n_images, n_features)
        Features of each image of each row (an encoder's codes, or pixels).
    structure : PairResults, NumberSum or DigitSum
        The exact arithmetic that gives the results of a row's digits.
    y : ndarray of shape (n_rows, n_outputs)
        Class indices of the observed results.
    random_state : int
        Seeds the clustering, the rows and the starts.

    Returns
    -------
    digits : ndarray of shape (n_rows, n_images)
        The digit of each image's cluster.
    """
    n_rows, n_images, n_features = features.shape
    images = features.reshape(n_rows * n_images, n_features)
    n_clusters = min(N_CLUSTERS, len(images))
    clusters = KMeans(n_clusters, n_init=1, random_state=random_state).fit_predict(
        images
    )
    clusters = clusters.reshape(n_rows, n_images)
    rng = np.random.RandomState(random_state)
    row_clusters, row_results = _fitted_rows(clusters, y, rng)
    generator = torch.Generator().manual_seed(int(rng.randint(2**31 - 1)))
    # A uniform table has no gradient: the results favour no digit of an
    # image whose digits are all equally likely. Random ones do.
    tables = torch.randn(N_STARTS, n_clusters, N_DIGITS, generator=generator)
    tables.requires_grad_(True)

    def negative_log_likelihoods():
        """Of the results under each table, one value per table."""
        likelihood = structure.table_log_likelihood(
            torch.log_softmax(tables, dim=2), row_clusters, row_results
        )
        return -likelihood.mean(dim=1)

    # Adam scales each weight's step by its own gradient, so the tables,
    # fitted together on the sum of their losses, train as if apart.
    optimizer = torch.optim.Adam([tables], lr=STEP_SIZE)
    for _ in range(N_STEPS):
        optimizer.zero_grad()
        negative_log_likelihoods().sum().backward()
        optimizer.step()
    with torch.no_grad():
        best = int(negative_log_likelihoods().argmin())
    return tables[best].detach().argmax(dim=1).numpy()[clusters]


def umap_digits(features, structure, y, random_state):
    """A digit for every image of every row, from ten clusters of a UMAP
    embedding named by the results; no digit label is used.

    The clusters are those of the Gaussian mixture of the embedding most
    likely under the embedding itself, of several fitted from random
    starts: one start may merge two digits and split a third, which no
    naming of ten clusters by ten digits can undo.

    The ten clusters' digits are found by a local search: from a random
    assignment of distinct digits, the most likely of all the assignments
    one step away (two clusters' digits swapped, or one cluster's digit
    changed) is taken while it is more likely than the current one, from
    a few random starts; the most likely end is kept. With no more distinct
    images than a UMAP neighbourhood holds (20), this is
    :func:`cluster_digits`.

    Parameters
    ----------
    features : ndarray of shape (n_rows, n_images, n_features)
        Features of each image of each row (an encoder's codes, or pixels).
    structure : PairResults, NumberSum or DigitSum
        The exact arithmetic that gives the results of a row's digits.
    y : ndarray of shape (n_rows, n_outputs)
        Class indices of the observed results.
    random_state : int
        Seeds the embedding, the clusters, the rows and the starts.

    Returns
    -------
    digits : ndarray of shape (n_rows, n_images)
        The digit of each image's cluster.
    """
    # Imported here: UMAP compiles its functions with numba on first import,
    # which the other starts and every other estimator do without.
    import umap

    n_rows, n_images, n_features = features.shape
    # An image that several rows hold enters the graph once: its copies
    # would otherwise be its nearest neighbours and hide the others.
    images, image_of = np.unique(
        features.reshape(n_rows * n_images, n_features), axis=0, return_inverse=True
    )
    if len(images) <= UMAP_PARAMS["n_neighbors"]:
        # Too few images for a neighbourhood each: no graph to embed.
        return cluster_digits(features, structure, y, random_state)
    embedding = umap.UMAP(
        **UMAP_PARAMS,
        random_state=random_state,
        # One job: with a random state, UMAP runs one thread anyway.
        n_jobs=1,
    ).fit_transform(images)
    clusters = _mixture_clusters(embedding, random_state)
    clusters = clusters[image_of.ravel()].reshape(n_rows, n_images)
    rng = np.random.RandomState(random_state)
    row_clusters, row_results = _fitted_rows(clusters, y, rng)

    def log_likelihoods(assignments):
        tables = torch.full(
            (len(assignments), N_DIGITS, N_DIGITS),
            np.log(TABLE_IMPURITY / (N_DIGITS - 1)),
        )
        tables[
            torch.arange(len(assignments))[:, None],
            torch.arange(N_DIGITS),
            torch.as_tensor(np.stack(assignments)),
        ] = np.log(1 - TABLE_IMPURITY)
        with torch.no_grad():
            likelihood = structure.table_log_likelihood(
                tables, row_clusters, row_results
            )
        return likelihood.sum(dim=1).numpy()

    best, best_likelihood = None, -np.inf
    for _ in range(N_SEARCH_STARTS):
        assignment = rng.permutation(N_DIGITS)
        likelihood = log_likelihoods([assignment])[0]
        while True:
            neighbours = _neighbouring_assignments(assignment)
            likelihoods = log_likelihoods(neighbours)
            if likelihoods.max() <= likelihood:
                break
            assignment = neighbours[int(likelihoods.argmax())]
            likelihood = likelihoods.max()
        if likelihood > best_likelihood:
            best, best_likelihood = assignment, likelihood
    return best[clusters]


def _mixture_clusters(embedding, random_state):
    """The cluster of every point of ``embedding`` under the most likely of
    ``N_MIXTURE_STARTS`` Gaussian mixtures of ten components."""
    return GaussianMixture(
        N_DIGITS, n_init=N_MIXTURE_STARTS, random_state=random_state
    ).fit_predict(embedding)


def _fitted_rows(clusters, y, rng):
    """The clusters and results of the rows (at most MAX_ROWS) that the
    tables are fitted on, as tensors."""
    n_rows = len(clusters)
    rows = rng.choice(n_rows, min(n_rows, MAX_ROWS), replace=False)
    return (
        torch.as_tensor(clusters[rows], dtype=torch.int64),
        torch.as_tensor(np.asarray(y)[rows]),
    )


def _neighbouring_assignments(assignment):
    """Every assignment of digits to clusters one step from ``assignment``:
    two clusters' digits swapped, or one cluster's digit changed."""
    neighbours = []
    for first, second in itertools.combinations(range(len(assignment)), 2):
        swapped = assignment.copy()
        swapped[[first, second]] = assignment[[second, first]]
        neighbours.append(swapped)
    for cluster, digit in itertools.product(range(len(assignment)), range(N_DIGITS)):
        if digit != assignment[cluster]:
            changed = assignment.copy()
            changed[cluster] = digit
            neighbours.append(changed)
    return neighbours
