"""The figures ``npgan.evaluate`` reports, as pure functions of arrays (no classifier, no files).

- :func:`frechet_distance` between two Gaussians, and :func:`gaussian_fit` to get them from features:
  FID is this distance between the classifier features of generated and of real images.
- :func:`class_shares`, :func:`kl_from_uniform`, :func:`confident_share`: what the classifier calls the
  samples, and how sure it is.
- :func:`nearest_distances`: each image's distance to its nearest training image, for the copying ratio.
- :func:`precision_recall`: how much of the samples lies on the real data's manifold (precision: quality)
  and how much of the real data the samples' manifold covers (recall: variety), k-NN manifolds.
- :func:`best_matching`: the one-to-one matching of codes to classes that agrees most often (the
  Hungarian algorithm), for scoring a code learnt without labels (InfoGAN) against a classifier's labels.
"""
import numpy as np


# --- Fréchet distance ---------------------------------------------------------------------------------

def gaussian_fit(features):
    """Mean ``(D,)`` and covariance ``(D, D)`` (unbiased, divided by n - 1) of ``features`` (n, D), in float64."""
    features = np.asarray(features, dtype=np.float64)
    if features.ndim != 2 or len(features) < 2:
        raise ValueError(f"need features of shape (n, D) with n >= 2, got {features.shape}")
    mean = features.mean(axis=0)
    centred = features - mean
    return mean, centred.T @ centred / (len(features) - 1)


def sqrtm_psd(matrix):
    """The symmetric square root ``R`` (``R @ R = S``) of a symmetric positive semi-definite matrix ``S``.

    ``S = V diag(w) V^T`` (``np.linalg.eigh``), so ``S^(1/2) = V diag(sqrt(w)) V^T``. Rounding leaves tiny
    negative eigenvalues on a singular ``S``; they are zeros in truth, and are clipped to 0 (no NaN).
    """
    eigenvalues, eigenvectors = np.linalg.eigh(_symmetric(matrix))
    return (eigenvectors * np.sqrt(np.clip(eigenvalues, 0, None))) @ eigenvectors.T


def frechet_distance(mean1, cov1, mean2, cov2):
    """Fréchet (2-Wasserstein) distance squared between N(mean1, cov1) and N(mean2, cov2), float64.

        d^2 = |mean1 - mean2|^2 + tr(cov1 + cov2 - 2 (cov1^(1/2) cov2 cov1^(1/2))^(1/2))

    The last trace needs no second matrix root: ``M = cov1^(1/2) cov2 cov1^(1/2)`` is symmetric positive
    semi-definite, so ``tr(M^(1/2))`` is the sum of the square roots of its eigenvalues (clipped at 0, which
    keeps near-singular and rank-deficient covariances finite). ``M`` has the eigenvalues of ``cov1 cov2``,
    so the result is symmetric in its two Gaussians (up to rounding).
    """
    mean1, mean2 = np.asarray(mean1, dtype=np.float64), np.asarray(mean2, dtype=np.float64)
    cov1, cov2 = np.asarray(cov1, dtype=np.float64), np.asarray(cov2, dtype=np.float64)
    root1 = sqrtm_psd(cov1)
    middle = np.linalg.eigvalsh(_symmetric(root1 @ cov2 @ root1))
    trace_root = np.sqrt(np.clip(middle, 0, None)).sum()
    diff = mean1 - mean2
    distance = diff @ diff + np.trace(cov1) + np.trace(cov2) - 2 * trace_root
    return max(float(distance), 0.0)  # a squared distance; rounding can leave -1e-12 for equal Gaussians


def _symmetric(matrix):
    """``(S + S^T) / 2``: removes the rounding asymmetry of a product such as ``R C R``."""
    matrix = np.asarray(matrix, dtype=np.float64)
    return (matrix + matrix.T) / 2


# --- What the classifier says ---------------------------------------------------------------------------

def class_shares(predicted, classes):
    """Share of each class among integer predictions ``predicted`` (n,): float64 ``(classes,)``, sums to 1."""
    predicted = np.asarray(predicted)
    if predicted.ndim != 1 or not len(predicted):
        raise ValueError(f"need predictions of shape (n,) with n >= 1, got {predicted.shape}")
    return np.bincount(predicted, minlength=classes) / len(predicted)


def kl_from_uniform(shares):
    """``KL(shares || uniform) = sum_k p_k log(K p_k)`` in nats, with ``0 log 0 = 0``.

    0 when every class has its fair share ``1/K``; ``log K`` (2.30 for ten classes) when every sample is one
    class: a mode-collapse alarm.
    """
    shares = np.asarray(shares, dtype=np.float64)
    present = shares[shares > 0]
    return float(np.sum(present * np.log(len(shares) * present)))


def confident_share(probabilities, threshold=0.9):
    """Share of rows of ``probabilities`` (n, K) whose top class probability is at least ``threshold``."""
    probabilities = np.asarray(probabilities)
    return float(np.mean(probabilities.max(axis=1) >= threshold))


# --- Copying ---------------------------------------------------------------------------------------------

def nearest_distances(queries, references_u8, *, query_chunk=2000, reference_chunk=5000):
    """Euclidean distance from each of ``queries`` to its nearest image in ``references_u8``.

    ``queries``: (n, 784) floats in [-1, 1]; ``references_u8``: (m, 28, 28) or (m, 784) uint8 pixels, put on
    the same scale (``2 p / 255 - 1``) a chunk at a time. Returns float32 (n,), in [-1, 1] units.

    All n x m squared distances come from one matrix product per pair of chunks,
    ``|q - r|^2 = |q|^2 + |r|^2 - 2 q.r``, in float32 BLAS. Both sets are first shifted by +1 (distances do
    not change), so the black background is 0 rather than -1: the squared norms stay small and so does the
    float32 cancellation. Memory: one (query_chunk, reference_chunk) block, 40 MB with the defaults.
    """
    shifted = np.asarray(queries, dtype=np.float32).reshape(len(queries), -1) + np.float32(1)
    query_norms = np.einsum("ij,ij->i", shifted, shifted)
    best = np.full(len(shifted), np.inf, dtype=np.float32)
    references_u8 = references_u8.reshape(len(references_u8), -1)
    for start in range(0, len(references_u8), reference_chunk):
        refs = np.multiply(references_u8[start:start + reference_chunk], np.float32(2 / 255), dtype=np.float32)
        ref_norms = np.einsum("ij,ij->i", refs, refs)
        for q in range(0, len(shifted), query_chunk):
            block = shifted[q:q + query_chunk].dot(refs.T)  # (queries, references)
            block *= -2
            block += ref_norms
            np.minimum(best[q:q + query_chunk], block.min(axis=1), out=best[q:q + query_chunk])
    best += query_norms  # the same |q|^2 for every reference: added once, after the minimum
    return np.sqrt(np.clip(best, 0, None))


def copying_ratio(sample_distances, real_distances):
    """Mean nearest-training-image distance of the samples over that of held-out real images.

    About 1 when samples are as far from the training set as new real images are; well below 1 when the
    generator reproduces training images (memorises) rather than making new ones.
    """
    return float(np.mean(sample_distances, dtype=np.float64) / np.mean(real_distances, dtype=np.float64))


# --- Precision and recall --------------------------------------------------------------------------------

def squared_distance_blocks(queries, references, block=1000):
    """Yield ``(start, d2)``: squared Euclidean distances from ``queries[start:start + block]`` to every row
    of ``references``, a (block, m) float32 array at a time, never the whole (n, m) matrix.

    ``|q - r|^2 = |q|^2 + |r|^2 - 2 q.r`` is itself a dot product of two longer vectors,
    ``[q, 1, |q|^2] . [-2 r, |r|^2, 1]``: with the norms riding along as two extra columns, one BLAS product
    per block gives the distances, and no pass over the (block, m) array is spent adding norms (measured:
    a third of the time). Rounding can leave -1e-5 for (near-)identical rows; comparisons do not mind.
    """
    queries, references = np.asarray(queries, np.float32), np.asarray(references, np.float32)
    ones_q, ones_r = np.ones((len(queries), 1), np.float32), np.ones((len(references), 1), np.float32)
    left = np.hstack([queries, ones_q, np.einsum("ij,ij->i", queries, queries)[:, None]])
    right = np.hstack([-2 * references, np.einsum("ij,ij->i", references, references)[:, None], ones_r])
    for start in range(0, len(queries), block):
        yield start, left[start:start + block] @ right.T


def knn_radii(features, k=3, block=1000):
    """Squared distance from each row of ``features`` (n, D) to its ``k``-th nearest *other* row: (n,) float32.

    Around each point, a ball reaching its k-th neighbour; the union of the balls estimates the manifold
    the points came from (small balls where points are dense, large where sparse). Each row's own
    distance 0 is the smallest in its row, so the k-th other neighbour is the (k+1)-th smallest.
    """
    features = np.asarray(features, np.float32)
    if not 1 <= k < len(features):
        raise ValueError(f"need 1 <= k < n to find a k-th neighbour, got k={k}, n={len(features)}")
    radii = np.empty(len(features), dtype=np.float32)
    for start, d2 in squared_distance_blocks(features, features, block):
        radii[start:start + len(d2)] = np.partition(d2, k, axis=1)[:, k]
    return np.maximum(radii, 0, out=radii)  # a duplicate's distance may round to -1e-5


def precision_recall(real, fake, k=3, block=1000):
    """Improved precision and recall (Kynkäänniemi et al. 2019) of ``fake`` features against ``real`` ones.

    The real manifold is the union of balls around the real points, each reaching its ``k``-th nearest real
    neighbour (:func:`knn_radii`); the fake manifold likewise. Then

        precision = share of fake points inside the real manifold   (are the samples realistic?)
        recall    = share of real points inside the fake manifold   (is all of the real data covered?)

    FID mixes both in one number. Measured in the CNN judge's features on MNIST (10,000 of each): held-out
    real digits 0.85 and 0.85 (k = 3 balls of a finite sample miss some of the true manifold, so real data
    scores below 1); only the 1s, 0.90 and 0.11; blurred digits 0.93 and 0.36 (typical, but not varied).
    Compare sets of the same size: the radii shrink as n grows.

    The weakness (Naeem et al. 2020): a real outlier's ball is large, and a tight clump of bad samples
    inside it all counts as precise. Uniform noise images all land near the judge's feature origin, in
    the balls of a few faint real digits: precision 1.0 for pure noise. Read precision beside FID and the
    confident share, which do see noise.

    One pass over (block, m) distance blocks of fake against real serves both: a block's rows (fake points)
    are compared with the real radii (precision), its columns (real points) with the fake radii (recall).
    Returns ``(precision, recall)`` as floats.
    """
    real, fake = np.asarray(real, np.float32), np.asarray(fake, np.float32)
    return coverage(real, knn_radii(real, k, block), fake, knn_radii(fake, k, block), block)


def coverage(real, real_radii, fake, fake_radii, block=1000):
    """``(precision, recall)`` from both sets and their :func:`knn_radii` (so a caller can keep the real
    set's radii between calls): fake point ``i`` is on the real manifold when ``|f_i - r_j|^2 <=
    real_radii[j]`` for some ``j``; real point ``j`` is on the fake manifold when ``|f_i - r_j|^2 <=
    fake_radii[i]`` for some ``i``."""
    inside_real = np.zeros(len(fake), dtype=bool)
    inside_fake = np.zeros(len(real), dtype=bool)
    for start, d2 in squared_distance_blocks(fake, real, block):
        inside_real[start:start + len(d2)] = (d2 <= real_radii).any(axis=1)
        inside_fake |= (d2 <= fake_radii[start:start + len(d2), None]).any(axis=0)
    return float(inside_real.mean()), float(inside_fake.mean())


# --- Matching codes to classes --------------------------------------------------------------------------

def best_matching(counts):
    """The one-to-one matching of rows to columns of ``counts`` with the largest matched total.

    ``counts`` (codes, classes): how often samples drawn with code ``i`` were called class ``j``. A code
    learnt without labels (InfoGAN's categorical code) names the digits in an order of its own; its
    accuracy is the share of samples it gets right under the best renaming, as for clustering.
    Returns ``(assignment, matched_share)``: ``assignment`` int (codes,), the class of each code (-1 for a
    code left over when there are more codes than classes), and ``matched_share`` = matched total / total.
    Ties: any one of the best matchings (always the same one for the same table).

    The Hungarian algorithm (Kuhn 1955; this is the O(n^3) shortest-augmenting-path form with potentials,
    as in Jonker-Volgenant): pad the table to a square of side ``n`` with zeros (a padded cell is "no
    match") and minimise the cost ``-counts``. Rows join one at a time. Potentials ``u`` (rows) and ``v``
    (columns) keep every reduced cost ``cost[i, j] - u[i] - v[j] >= 0``, and 0 on the matched cells;
    a matching that uses only zero-reduced-cost cells is then optimal, since any matching costs
    ``sum u + sum v`` plus its (non-negative) reduced costs. To add row ``i``, grow a Dijkstra tree of
    alternating paths from it over reduced costs; when the cheapest path reaches a free column, shift
    the potentials by the path's length (reduced costs stay >= 0, the path's become 0) and flip the path.
    Exhaustive search would try ``10! = 3.6 million`` matchings for ten codes; this takes ``n^3 = 1000`` steps.
    """
    counts = np.asarray(counts, dtype=np.float64)
    if counts.ndim != 2 or counts.size == 0 or not np.all(np.isfinite(counts)) or np.any(counts < 0):
        raise ValueError(f"need a (codes, classes) table of finite counts >= 0, got shape {counts.shape}")
    total = counts.sum()
    if total == 0:
        raise ValueError("the count table is all zeros: nothing to match")
    rows, columns = counts.shape
    n = max(rows, columns)
    cost = np.zeros((n + 1, n + 1))   # 1-based; row and column 0 are the search's virtual start
    cost[1:rows + 1, 1:columns + 1] = -counts
    u, v = np.zeros(n + 1), np.zeros(n + 1)
    row_of = np.zeros(n + 1, dtype=int)      # row_of[j]: the row matched to column j (0: none)
    for i in range(1, n + 1):
        row_of[0], column = i, 0              # the tree's root: row i, reached through virtual column 0
        distance = np.full(n + 1, np.inf)    # cheapest reduced-cost path found so far to each column
        came_from = np.zeros(n + 1, dtype=int)
        visited = np.zeros(n + 1, dtype=bool)
        while row_of[column] != 0:            # until the path ends in a free column
            visited[column] = True
            row = row_of[column]
            reduced = cost[row] - u[row] - v  # extend the tree through ``row`` to every column
            closer = ~visited & (reduced < distance)
            distance[closer], came_from[closer] = reduced[closer], column
            step = np.where(visited, np.inf, distance)
            nearest = int(np.argmin(step))
            delta = step[nearest]
            u[row_of[visited]] += delta       # shift: tree edges keep reduced cost 0, others stay >= 0
            v[visited] -= delta
            distance[~visited] -= delta
            column = nearest
        while column != 0:                    # flip the path: each column takes the row before it
            previous = came_from[column]
            row_of[column] = row_of[previous]
            column = previous
    assignment = np.full(rows, -1)
    for j in range(1, columns + 1):
        if 1 <= row_of[j] <= rows:
            assignment[row_of[j] - 1] = j - 1
    matched = sum(counts[i, j] for i, j in enumerate(assignment) if j >= 0)
    return assignment, float(matched / total)
