"""Random changes of a digit's style, with their backward pass: what InfoGAN's Q reads the codes through.

An InfoGAN's categories tend to split a pair of digits by style (thick and thin 4s-and-9s), because the
information term only asks that Q can read the code back, and stroke width, slant and position are as
readable as the digit. If Q reads the codes from a copy of each fake whose style was changed at random, only
what survives the changes can carry them: the digit (``docs/infogan_probe.md``, fourth set).

:func:`augment` changes each image (rows ``(N, 784)`` in [-1, 1], background -1) in two steps:

1. **Stroke width**, one of three per image: unchanged; thicker (each pixel the brightest of its 3 x 3
   neighbourhood, a max filter); thinner (half way to the darkest of it, a min filter; the whole way would
   erase thin digits).
2. **A warp** (nearest neighbour): each output pixel copies one pixel of step 1's image, or is background
   when its source falls outside the image. A shift of up to 2 pixels each way, a shear of up to +-0.3 and,
   with ``affine``, a rotation of up to 15 degrees and a scaling by 0.85-1.15.

So every output pixel is ``share * x[b] + (1 - share) * x[a]``: ``a`` the pixel the warp copies, ``b`` the
neighbour of ``a`` the filter chose (``b = a``, ``share = 1`` when unchanged; ``share = 1/2`` when thinner).
Max and min filters are piecewise linear, like max pooling, and a warp copies: the backward pass sends each
output pixel's gradient back to ``a`` and ``b`` by those shares, adding where several outputs read the same
pixel (``np.bincount``). Background reads a padding pixel fixed at -1, whose gradient is dropped.
"""
import numpy as np

SIZE = 28
PIXELS = SIZE * SIZE
THICKER, THINNER = 1, 2
CENTRE = 4  # the pixel itself, in the 3 x 3 neighbourhood numbered 0..8 row by row


CENTRE_OFFSET = (SIZE - 1) / 2
GRID = np.arange(SIZE) - CENTRE_OFFSET                      # a pixel's row or column, from the centre


def random_warp(rng, n, shift=2, shear=0.3, affine=False, background=-1):
    """The source pixel (0..783, or ``background`` outside the image) of each of the 784 output pixels of
    ``n`` images, (n, 784).

    Output pixel (r, c), measured from the image's centre, reads the input at ``A^-1 (r, c)`` minus the
    shift, rounded to the nearest pixel: ``A`` rotates by ``angle``, scales by ``scale`` and shears columns
    by ``s * row``."""
    dy, dx = rng.integers(-shift, shift + 1, (2, n, 1, 1))
    s = rng.uniform(-shear, shear, (n, 1, 1))
    r, c = GRID[:, None], GRID[None, :]                      # (28, 1) and (1, 28): broadcasting makes the grid
    if affine:
        angle, scale = rng.uniform(-0.26, 0.26, (n, 1, 1)), rng.uniform(0.85, 1.15, (n, 1, 1))
        cos, sin = np.cos(angle) / scale, np.sin(angle) / scale
        r, c = cos * r - sin * c, sin * r + cos * c
    source_r = np.rint(r + (CENTRE_OFFSET - dy)).astype(np.intp)
    source_c = np.rint(c - s * r + (CENTRE_OFFSET - dx)).astype(np.intp)
    # 0 <= i < SIZE in one comparison: read as unsigned, a negative i is larger than any size
    inside = (source_r.view(np.uintp) < SIZE) & (source_c.view(np.uintp) < SIZE)
    return np.where(inside, source_r * SIZE + source_c, background).reshape(n, PIXELS)


PADDED_ROW = SIZE + 2


def winning_neighbours(x, kinds):
    """For every pixel of rows ``x`` (N, 784), the neighbour (0..8) its filter takes: the brightest for
    ``kinds == THICKER`` (a max filter), the darkest for ``THINNER`` (a min filter), itself otherwise.
    Ties go to the first neighbour, as ``argmax`` breaks them."""
    pick = np.full((len(x), PIXELS), CENTRE, np.intp)
    changed = np.flatnonzero(kinds)
    if len(changed):
        pick[changed] = _filter_picks(x[changed], kinds[changed] == THINNER)
    return pick


def _filter_picks(x, thinner):
    """:func:`winning_neighbours` of rows ``x`` (n, 784) that all change: a min filter where ``thinner``.

    A min filter is a max filter of ``-x``. Neighbour ``k`` of every pixel is one slice of the padded image
    laid out flat, a row of 30 pixels for each of 28: so each of the 8 comparisons is one pass over contiguous
    memory (the 2 spare pixels a row are dropped at the end). The pick is the last neighbour ``k`` that was
    strictly brighter than all before it, which is the largest of ``k * brighter``: no masked writes."""
    n = len(x)
    padded = np.full((n, SIZE + 3, PADDED_ROW), -1.0, x.dtype)  # a spare row: the last slice runs 2 past row 29
    padded[:, 1:SIZE + 1, 1:SIZE + 1] = x.reshape(n, SIZE, SIZE)
    padded[thinner] *= -1
    flat, span = padded.reshape(n, -1), SIZE * PADDED_ROW
    brightest = flat[:, :span].copy()                          # neighbour 0, the top left
    pick, brighter = np.zeros((n, span), np.int8), np.empty((n, span), bool)
    for k in range(1, 9):
        neighbour = flat[:, (k // 3) * PADDED_ROW + k % 3:][:, :span]
        np.greater(neighbour, brightest, out=brighter)
        np.maximum(pick, brighter.view(np.int8) * np.int8(k), out=pick)
        np.maximum(brightest, neighbour, out=brightest)
    return pick.reshape(n, SIZE, PADDED_ROW)[:, :, :SIZE].reshape(n, PIXELS)


def _neighbour_table():
    """(785, 9): the index of neighbour k (0..8, row by row) of pixel p, 784 (the background pixel
    padded after each row) where it falls outside the image; row 784, the background's, all 784."""
    r, c = np.divmod(np.arange(PIXELS), SIZE)
    k = np.arange(9)
    nr, nc = r[:, None] + k // 3 - 1, c[:, None] + k % 3 - 1
    inside = (nr >= 0) & (nr < SIZE) & (nc >= 0) & (nc < SIZE)
    return np.vstack([np.where(inside, nr * SIZE + nc, PIXELS), np.full((1, 9), PIXELS)])


NEIGHBOUR = _neighbour_table()


def augment(x, rng, affine=False):
    """``(x_aug, backward)``: each image of ``x`` (N, 784) with a random stroke width and warp (module
    docstring), and ``backward(d_aug) -> dx``, the gradient of the same changes (fixed) carried back."""
    n = len(x)
    kinds = rng.integers(0, 3, n)
    a = random_warp(rng, n, affine=affine, background=PIXELS)  # the pixel each output copies (784: background)
    offsets = np.arange(n)[:, None] * (PIXELS + 1)             # row i of the padded rows starts at i * 785
    pick = np.full((n, PIXELS + 1), CENTRE)                    # each pixel's filter's neighbour (0..8)
    pick[:, :PIXELS] = winning_neighbours(x, kinds)
    b = NEIGHBOUR.ravel()[a * 9 + pick.ravel()[a + offsets]]   # NEIGHBOUR[a, pick[a]]
    a, b = a + offsets, b + offsets                            # into the padded rows laid end to end
    padded = np.full((n, PIXELS + 1), -1.0, x.dtype)
    padded[:, :PIXELS] = x
    flat = padded.ravel()
    thinner = kinds == THINNER
    x_aug = flat[b]
    x_aug[thinner] = 0.5 * (x_aug[thinner] + flat[a[thinner]])  # half way from a to its darkest neighbour b
    targets = np.concatenate([b.ravel(), a[thinner].ravel()])

    def backward(d_aug):
        # each output pixel's gradient to the pixel b it read, a thinned image's in halves to b and to a
        to_b = np.array(d_aug)
        to_b[thinner] *= 0.5
        weights = np.concatenate([to_b.ravel(), to_b[thinner].ravel()])
        dx = np.bincount(targets, weights, n * (PIXELS + 1))
        return dx.reshape(n, PIXELS + 1)[:, :PIXELS].astype(d_aug.dtype)
    return x_aug, backward
