"""Notebook 02: backpropagation, derived and checked by finite differences (English only)."""
from cells import code, md

NB02 = [
    md(r"""
# Backpropagation, derived and checked

![The relative error of each gradient check: right gradients far below the tolerance, wrong ones far above](../docs/figures/gradient_checks.png)

*Where we are going: every gradient in npgan checked against finite differences, and the wrong ones caught.*

Every backward pass in npgan is written by hand, and each one is a claim: *this is the derivative of the
loss with respect to that array*. A claim like that can be tested with no calculus at all, by nudging
the input and watching the output. For a scalar function $f$ and a tiny $h$,

$$\frac{\partial f}{\partial x_i} \approx \frac{f(x + h e_i) - f(x - h e_i)}{2h},$$

the **central difference**, whose error shrinks like $h^2$. `npgan.gradcheck` provides:

- `numerical_gradient(f, x)`: nudges every element of the array `x` in turn (2 evaluations of `f` each).
  Exact and clear, for small arrays.
- `directional_derivative(f, x, d)`: nudges the whole array along one direction $d$: 2 evaluations give
  $\langle \nabla f, d \rangle$, enough to check even a large gradient.
- `relative_error(a, b)` $= \max|a - b| \,/\, \max(|a| + |b|)$: scale-free. A right gradient gives about
  $10^{-10}$; a wrong one, $10^{-2}$ to 1.
- `check_layer(layer, x)`: a layer's input and parameter gradients, all at once.

Everything here runs in **float64**: with $h = 10^{-6}$, float32's rounding (about $10^{-7}$ relative)
would swamp the difference. The sizes are small, so the whole notebook takes seconds.
"""),
    code(r"""
import os
import sys
from pathlib import Path

import numpy as np

# Same switch as notebook 01. This notebook is small either way; fast mode checks fewer random directions.
FAST = os.environ.get("NPGAN_FAST", "0") not in ("", "0")

try:
    import npgan
except ImportError:  # not installed: use the repository this notebook lives in
    sys.path.insert(0, str(Path.cwd().parent))
    import npgan
from npgan.gradcheck import check_layer, directional_derivative, numerical_gradient, relative_error
from npgan.layers import Dense, LeakyReLU, Sequential, Sigmoid, Tanh
from npgan.losses import bce_with_logits, sigmoid
from npgan.models import make_discriminator, make_generator

TOL = 1e-6   # a correct gradient is far below this; a wrong one far above


def report(label, errors):
    # One line per checked array: "<label>/<array>   relative error = 1.2e-10   ok"
    for key, err in errors.items():
        verdict = "ok" if err < TOL else "WRONG"
        print(f"{label + '/' + key:<34} relative error = {err:.1e}   {verdict}")


rng = np.random.default_rng(0)
"""),
    md(r"""
## The tool on a function we know

$f(x) = \sum_i x_i^3$ has gradient $3x^2$. The central difference finds it to about 10 digits:
"""),
    code(r"""
x = rng.standard_normal(5)
f = lambda: np.sum(x**3)             # reads x, which numerical_gradient nudges in place
numeric = numerical_gradient(f, x)
print("analytic 3x^2:", np.round(3 * x**2, 8))
print("numerical:    ", np.round(numeric, 8))
report("cube", {"x": relative_error(3 * x**2, numeric)})
"""),
    md(r"""
## How a layer is checked

A layer maps `x` to `y`; its `backward(dy)` receives the upstream gradient $\partial L/\partial y$ and must
return $\partial L/\partial x$ (and add $\partial L/\partial W$ etc. into `grads`). To test it we need some
scalar $L$ whose $\partial L/\partial y$ we know. `check_layer` uses

$$L = \sum_{n,j} y_{nj} R_{nj} \quad\text{with a fixed random } R, \qquad\text{so}\qquad
\frac{\partial L}{\partial y} = R,$$

calls `backward(R)`, and compares every gradient it got with `numerical_gradient` of $L$.

## Dense: $y = xW + b$

Written with indices, $y_{nj} = \sum_i x_{ni} W_{ij} + b_j$ ($n$ the example, $i$ an input, $j$ an output).
Each parameter touches the loss through every $y$ it appears in, so by the chain rule:

$$\frac{\partial L}{\partial W_{ij}} = \sum_n x_{ni}\, \frac{\partial L}{\partial y_{nj}}
  \;\Rightarrow\; \frac{\partial L}{\partial W} = x^\top\, dY, \qquad
\frac{\partial L}{\partial b_j} = \sum_n \frac{\partial L}{\partial y_{nj}}
  \;\Rightarrow\; \frac{\partial L}{\partial b} = \textstyle\sum_n dY_{n\cdot}, \qquad
\frac{\partial L}{\partial x_{ni}} = \sum_j \frac{\partial L}{\partial y_{nj}}\, W_{ij}
  \;\Rightarrow\; \frac{\partial L}{\partial x} = dY\, W^\top .$$

The shapes confirm it: $x^\top$ (in, N) times $dY$ (N, out) is (in, out) like $W$. Note the **sum over the
batch** for $b$: the bias is shared by every example.
"""),
    code(r"""
dense = Dense(4, 3, rng=0, dtype=np.float64)
x = rng.standard_normal((5, 4))
R = rng.standard_normal((5, 3))

# By hand first: analytic dL/dW from backward(), numerical from nudging W
dense.zero_grad()
dense.forward(x)
dense.backward(R)
loss = lambda: np.sum(dense.forward(x) * R)
print("dL/dW from backward():\n", np.round(dense.grads["W"], 6))
print("dL/dW by finite differences:\n", np.round(numerical_gradient(loss, dense.params["W"]), 6))

# ... and all of it in one call
report("Dense", check_layer(dense, x, rng=1))
"""),
    md(r"""
## Leaky ReLU: $y = \max(\alpha x, x)$

Elementwise, so each $x$ affects only its own $y$: $\partial L/\partial x = \partial L/\partial y \cdot f'(x)$ with
$f'(x) = 1$ for $x > 0$ and $\alpha$ for $x < 0$. The layer remembers where $x > 0$ from the forward pass.
At $x = 0$ the function has a kink and no derivative. A finite difference that straddles it reports
nonsense, so checks keep inputs further than $h$ from 0 (random normals almost surely are).
"""),
    code(r"""
x = rng.standard_normal((5, 6))
report("LeakyReLU(0.01)", check_layer(LeakyReLU(0.01), x, rng=1))
report("LeakyReLU(0.2)", check_layer(LeakyReLU(0.2), x, rng=1))
"""),
    md(r"""
## tanh and sigmoid

Quotient rule on $\tanh x = \dfrac{e^x - e^{-x}}{e^x + e^{-x}}$:

$$\tanh'(x) = \frac{(e^x + e^{-x})^2 - (e^x - e^{-x})^2}{(e^x + e^{-x})^2} = 1 - \tanh^2 x,$$

and for $\sigma(x) = 1/(1 + e^{-x})$:

$$\sigma'(x) = \frac{e^{-x}}{(1 + e^{-x})^2} = \sigma(x)\,\bigl(1 - \sigma(x)\bigr).$$

Both derivatives need only the output $y$, which the layers keep: `dx = dy * (1 - y**2)` and
`dx = dy * y * (1 - y)`.
"""),
    code(r"""
x = 3 * rng.standard_normal((5, 6))     # include saturated values
report("Tanh", check_layer(Tanh(), x, rng=1))
report("Sigmoid", check_layer(Sigmoid(), x, rng=1))
"""),
    md(r"""
## Binary cross-entropy on logits

$\mathrm{BCE}(\ell, t) = -t\log\sigma(\ell) - (1 - t)\log(1 - \sigma(\ell))$. With $\log\sigma(\ell) = -\log(1 + e^{-\ell})$
and $\log(1 - \sigma(\ell)) = -\ell - \log(1 + e^{-\ell})$ it simplifies to

$$\mathrm{BCE}(\ell, t) = \ell - \ell t + \log(1 + e^{-\ell}),\qquad
\frac{\partial\,\mathrm{BCE}}{\partial \ell} = 1 - t - \frac{e^{-\ell}}{1 + e^{-\ell}} = \sigma(\ell) - t .$$

`bce_with_logits` averages over all $N$ elements, so it returns $(\sigma(\ell) - t)/N$. For the loss it
uses the equal form $\max(\ell, 0) - \ell t + \log(1 + e^{-|\ell|})$, where the exponent is never positive,
so it stays finite even for logits of $\pm 1000$. We check all three targets the GAN uses: 0.9 (real, smoothed),
0 (fake) and 1 (the generator's).
"""),
    code(r"""
logits = np.concatenate([3 * rng.standard_normal(6), [-25.0, 25.0]]).reshape(-1, 1)
for target in (0.9, 0.0, 1.0):
    loss, dlogits = bce_with_logits(logits, target)
    numeric = numerical_gradient(lambda: bce_with_logits(logits, target)[0], logits)
    report(f"bce_with_logits(t={target})", {"logits": relative_error(dlogits, numeric)})
print("finite at +-1000:", bce_with_logits(np.array([[-1000.0], [1000.0]]), 0.9)[0])
"""),
    md(r"""
## A whole discriminator

`Sequential.backward` is the chain rule: it runs the layers' backward passes in reverse order, each one
turning $\partial L/\partial(\text{its output})$ into $\partial L/\partial(\text{its input})$ for the layer before it.
So a whole network can be checked like one layer: input gradient and every parameter
(`"0/W"` is the first Dense's weight, `"2/b"` the last one's bias).

Then the discriminator's actual training loss: $\mathrm{BCE}(D(\text{real}), 0.9) + \mathrm{BCE}(D(\text{fake}), 0)$.
The training loop sends real and fake through $D$ as one stacked batch and backpropagates the two
gradients stacked. Each half keeps its own $1/N$, because the loss is the sum of two means, not one mean
over $2N$ rows.
"""),
    code(r"""
D = make_discriminator(image_size=12, hidden=8, alpha=0.01, rng=0, dtype=np.float64)
x = rng.uniform(-1, 1, (5, 12))
report("Discriminator", check_layer(D, x, rng=1))

# The D step's loss and gradients, exactly as in the training loop
real, fake = rng.uniform(-1, 1, (5, 12)), rng.uniform(-1, 1, (5, 12))
n = len(real)
logits = D.forward(np.concatenate([real, fake]))
_, grad_real = bce_with_logits(logits[:n], 0.9)
_, grad_fake = bce_with_logits(logits[n:], 0.0)
D.zero_grad()
D.backward(np.concatenate([grad_real, grad_fake]), input_grad=False)
analytic = {name: grad.copy() for name, _, grad in D.parameters()}

d_loss = lambda: bce_with_logits(D.forward(real), 0.9)[0] + bce_with_logits(D.forward(fake), 0.0)[0]
report("D-step", {name: relative_error(analytic[name], numerical_gradient(d_loss, param))
                  for name, param, _ in D.parameters()})
"""),
    md(r"""
## The generator's gradient, through a fixed discriminator

The generator's loss is $L_G = \mathrm{BCE}(D(G(z)), 1)$: its gradient has to pass *through* $D$.
`D.backward(dlogits, param_grads=False)` returns $\partial L_G/\partial x_\text{fake}$ and leaves $D$'s own
gradients alone ($D$ does not learn in this step), then `G.backward` carries it into $G$'s parameters:

$$\frac{\partial L_G}{\partial \theta_G} = \frac{\partial L_G}{\partial \ell} \cdot
\frac{\partial \ell}{\partial x_\text{fake}} \cdot \frac{\partial x_\text{fake}}{\partial \theta_G}.$$

The finite difference knows nothing of this plumbing: it nudges one weight of $G$ and recomputes the
whole $\mathrm{BCE}(D(G(z)), 1)$.
"""),
    code(r"""
G = make_generator(z_size=5, hidden=8, image_size=12, alpha=0.01, rng=2, dtype=np.float64)
z = rng.uniform(-1, 1, (5, 5))

fake = G.forward(z)
_, dlogits = bce_with_logits(D.forward(fake), 1.0)
D.zero_grad()
d_fake = D.backward(dlogits, param_grads=False)   # dL_G / d(fake images)
G.zero_grad()
G.backward(d_fake, input_grad=False)
analytic = {name: grad.copy() for name, _, grad in G.parameters()}

g_loss = lambda: bce_with_logits(D.forward(G.forward(z)), 1.0)[0]
report("G-through-D", {name: relative_error(analytic[name], numerical_gradient(g_loss, param))
                       for name, param, _ in G.parameters()})
print("D's gradients after the G step (must stay 0):", np.abs(D.flat_grads).max())
"""),
    md(r"""
## The real sizes, along random directions

The tutorial's generator has 114,064 parameters. Checking each one would take 228,128 evaluations of the
loss. A directional derivative checks all of them at once in 2 evaluations: for a random
direction $d$ in parameter space, the finite difference along $d$ must equal $\langle \nabla_\theta L, d\rangle$,
the dot product of the analytic gradient with $d$. A wrong gradient almost surely fails this for a random $d$.
`G.flat_params` holds all of $G$'s parameters in one array (its layers' `params` are views into it),
so nudging it along $d$ moves every weight at once.
"""),
    code(r"""
G_big = make_generator(rng=3, dtype=np.float64)      # 100 -> 128 -> 784, the tutorial's sizes
D_big = make_discriminator(rng=4, dtype=np.float64)  # 784 -> 128 -> 1
z = rng.uniform(-1, 1, (16, 100))

fake = G_big.forward(z)
_, dlogits = bce_with_logits(D_big.forward(fake), 1.0)
G_big.zero_grad()
G_big.backward(D_big.backward(dlogits, param_grads=False), input_grad=False)
grad = G_big.flat_grads.copy()

g_loss = lambda: bce_with_logits(D_big.forward(G_big.forward(z)), 1.0)[0]
n_directions = 3 if FAST else 10
errors = []
for _ in range(n_directions):
    d = rng.standard_normal(G_big.flat_params.size)
    errors.append(relative_error(grad @ d, directional_derivative(g_loss, G_big.flat_params, d)))
print(f"{G_big.flat_params.size:,} generator parameters, {n_directions} random directions")
report("G-through-D-full-size", {"all-params": max(errors)})
"""),
    md(r"""
# The layers of a DCGAN

A deep convolutional GAN (DCGAN, Radford et al., 2016) draws much better digits than the tutorial's
fully connected networks. Its discriminator shrinks the image with **strided convolutions**
(28×28 → 14×14 → 7×7), its generator grows one from $z$ with **transposed convolutions**
(7×7 → 14×14 → 28×28), and **batch normalisation** keeps every layer's activations in a good range.
The generator uses **ReLU**; `Reshape` and `Flatten` move between vectors and images. Each of these
layers is derived below and put through the same check. Image batches are $(N, C, H, W)$: examples,
channels, rows, columns.

## ReLU: $y = \max(x, 0)$

A Leaky ReLU with $\alpha = 0$: the slope is 1 where $x > 0$ and 0 where $x < 0$, so
`dx = dy * (y > 0)`. A unit that is off passes no gradient back.
"""),
    code(r"""
from npgan.conv import Conv2d, ConvTranspose2d, im2col
from npgan.layers import Dropout, Flatten, ReLU, Reshape
from npgan.norm import BatchNorm

x = rng.standard_normal((5, 6))
report("ReLU", check_layer(ReLU(), x, rng=1))
"""),
    md(r"""
## Dropout

In training, dropout zeroes each input with probability $p$ and scales the survivors by $1/(1-p)$, so
that each unit keeps its expected value: $y = x \odot m / (1 - p)$ with a random mask $m$ of 0s and 1s.
For a given mask this is linear in $x$, so $\partial L/\partial x = \partial L/\partial y \odot m/(1-p)$: dropped
units pass no gradient. In evaluation mode (`layer.eval()`) the layer does nothing.

The check has to see the *same* mask in every forward pass. The masks come from `layer.rng`, a NumPy
generator: restoring its state before each pass replays the mask (which is also how a saved training run
resumes exactly).
"""),
    code(r"""
dropout = Dropout(0.3, rng=0)
x, R = rng.standard_normal((5, 6)), rng.standard_normal((5, 6))
state = dropout.rng.bit_generator.state

def loss():
    dropout.rng.bit_generator.state = state          # the same mask every time
    return np.sum(dropout.forward(x) * R)

loss()
print("mask / (1 - p):\n", np.round(dropout.mask, 3))
report("Dropout", {"x": relative_error(dropout.backward(R), numerical_gradient(loss, x))})
"""),
    md(r"""
## Reshape and Flatten

They move values without changing them, so the gradient of each value goes back to where the value came
from: `dx = dy.reshape(x.shape)`. `Reshape((C, H, W))` turns the generator's dense output into images;
`Flatten()` turns the discriminator's last feature maps into vectors.
"""),
    code(r"""
report("Reshape", check_layer(Reshape((2, 3, 2)), rng.standard_normal((4, 12)), rng=1))
report("Flatten", check_layer(Flatten(), rng.standard_normal((4, 2, 3, 2)), rng=1))
"""),
    md(r"""
## Conv2d: a dense layer on windows

A convolution slides $C_\text{out}$ kernels of shape $(C_\text{in}, k, k)$ over the zero-padded input with step $s$:

$$y_{n,o,i,j} = b_o + \sum_{c,u,v} W_{o,c,u,v}\; x^\text{pad}_{n,\,c,\,s i + u,\,s j + v}.$$

Each output value is the dot product of one **window** of the input with one kernel. Copy every window
into a row of a matrix (**im2col**, "image to columns"): `cols` has one row per output position, $N H_\text{out} W_\text{out}$
of them, and $k \cdot k \cdot C_\text{in}$ columns. Then the whole convolution is one matrix product,

$$Y = \text{cols}\; W_\text{mat} + b, \qquad W_\text{mat} \text{ of shape } (k k C_\text{in},\, C_\text{out}),$$

a `Dense` layer whose rows are windows. Its gradients are Dense's:
$\partial L/\partial W_\text{mat} = \text{cols}^\top dY$, $\partial L/\partial b = \sum_\text{rows} dY$ (one kernel serves every
example *and* every position, so it sums over both), and $\partial L/\partial\,\text{cols} = dY\, W_\text{mat}^\top$.
Each row of that last one is the gradient of one window; **col2im** adds it back onto the pixels the window
was copied from. Where windows overlap ($s < k$) a pixel gets the sum of several windows' gradients, as the
chain rule wants: the pixel was used several times.

Here are the windows of one 4×4 image (one channel, $k = 2$, $s = 2$): four windows, four rows.
"""),
    code(r"""
image = np.arange(16.0).reshape(1, 4, 4, 1)        # im2col works channels-last: (N, H, W, C)
print(image[0, :, :, 0])
print("cols, one window per row:\n", im2col(image, kernel_size=2, stride=2))

# (in, out, kernel, stride, padding, H, W): several strides, paddings and odd sizes
for cin, cout, k, s, p, H, W in [(1, 2, 3, 1, 0, 5, 5), (2, 3, 3, 1, 1, 5, 6), (3, 2, 4, 2, 1, 7, 7), (2, 2, 5, 3, 2, 8, 7)]:
    conv = Conv2d(cin, cout, k, s, p, rng=0, dtype=np.float64)
    conv.params["b"][...] = rng.standard_normal(cout)
    report(f"Conv2d(k{k},s{s},p{p})", check_layer(conv, rng.standard_normal((2, cin, H, W)), rng=1))
"""),
    md(r"""
## ConvTranspose2d: a convolution's gradient, run forward

A convolution is linear in its input: $y = A x$ for a big sparse matrix $A$ built from copies of the
kernel. Its input gradient is therefore $\partial L/\partial x = A^\top\, \partial L/\partial y$. A **transposed
convolution** is the layer that computes $y = A^\top x$: the input gradient of a convolution, used as a
forward pass. Where a stride-2 convolution maps 14×14 to 7×7, its transpose maps 7×7 back to 14×14, with
output size $(H - 1)\,s - 2p + k$: the generator's upsampling layer. So npgan's `ConvTranspose2d.forward`
is `Conv2d.backward`'s code (a product, then col2im), and its backward pass is `Conv2d.forward`'s
(im2col, then products): $(A^\top)^\top = A$.

"Transpose" can be checked directly: for any $x$ and $y$, $\langle A x, y\rangle = \langle x, A^\top y\rangle$.
"""),
    code(r"""
conv = Conv2d(3, 4, 4, stride=2, padding=1, rng=0, dtype=np.float64)
conv_t = ConvTranspose2d(4, 3, 4, stride=2, padding=1, dtype=np.float64)
conv_t.params["W"][...] = conv.params["W"]          # same weights; no bias (both are 0)
x = rng.standard_normal((2, 3, 14, 14))
y = rng.standard_normal((2, 4, 7, 7))
print("<conv(x), y>   =", np.sum(conv.forward(x) * y))
print("<x, convT(y)>  =", np.sum(x * conv_t.forward(y)), "  convT(y) has shape", conv_t.forward(y).shape)

for cin, cout, k, s, p, H, W in [(2, 3, 3, 1, 1, 5, 6), (3, 2, 4, 2, 1, 4, 4), (2, 2, 5, 3, 2, 3, 4)]:
    layer = ConvTranspose2d(cin, cout, k, s, p, rng=0, dtype=np.float64)
    layer.params["b"][...] = rng.standard_normal(cout)
    report(f"ConvTranspose2d(k{k},s{s},p{p})", check_layer(layer, rng.standard_normal((2, cin, H, W)), rng=1))
"""),
    md(r"""
## BatchNorm: the batch couples the examples

For each channel, over its $m$ values in the batch ($m = N$ for $(N, C)$ inputs, $N H W$ for images):

$$\mu = \tfrac1m \textstyle\sum_i x_i,\quad \sigma^2 = \tfrac1m \sum_i (x_i - \mu)^2 + \epsilon,\quad
\hat x_i = \frac{x_i - \mu}{\sigma},\quad y_i = \gamma \hat x_i + \beta .$$

$\partial L/\partial \beta = \sum_i dy_i$ and $\partial L/\partial \gamma = \sum_i dy_i\, \hat x_i$, as for any scale and shift.
The input gradient is the interesting one: $\mu$ and $\sigma$ depend on **every** example, so moving one
input $x_j$ moves every output of its channel. With $\partial\mu/\partial x_j = 1/m$ and
$\partial\sigma/\partial x_j = \hat x_j / m$ (the terms $\sum_i (x_i - \mu)$ vanish), the quotient rule gives

$$\frac{\partial \hat x_i}{\partial x_j} = \frac{1}{\sigma}\Bigl(\delta_{ij} - \frac1m - \frac{\hat x_i \hat x_j}{m}\Bigr)
\quad\Rightarrow\quad
\frac{\partial L}{\partial x_j} = \sum_i \gamma\, dy_i \frac{\partial \hat x_i}{\partial x_j}
= \frac{\gamma}{\sigma}\Bigl(dy_j - \overline{dy} - \hat x_j\, \overline{dy\,\hat x}\Bigr),$$

where the bars are means over the channel's $m$ values. The upstream gradient loses its mean and its
component along $\hat x$: shifting or scaling a channel's inputs leaves $\hat x$ unchanged, so the gradient
cannot point that way. In **evaluation mode** BatchNorm uses running averages of $\mu$ and $\sigma^2$
collected during training, constants, and the gradient is simply $\gamma\, dy / \sigma$.
"""),
    code(r"""
for shape in [(6, 4), (3, 2, 5, 5)]:
    bn = BatchNorm(shape[1], dtype=np.float64)
    bn.params["gamma"][...] = rng.uniform(0.5, 2, shape[1])
    bn.params["beta"][...] = rng.standard_normal(shape[1])
    x = 3 * rng.standard_normal(shape) + 1
    report(f"BatchNorm-train{shape}".replace(" ", ""), check_layer(bn, x, rng=1))
    bn.eval()
    report(f"BatchNorm-eval{shape}".replace(" ", ""), check_layer(bn, x, rng=1))
print("running mean after the training passes:", np.round(bn.buffers["running_mean"], 3))
"""),
    md(r"""
## A whole DCGAN, the generator through the discriminator

The DCGAN layout with two channels where a real one has 64 (28×28 images all the same):

```
G: z -> Dense(196) -> BatchNorm -> ReLU -> Reshape(4, 7, 7) -> ConvTranspose2d(4, 2, 4, 2, 1)  7x7 -> 14x14
     -> BatchNorm -> ReLU -> ConvTranspose2d(2, 1, 4, 2, 1) -> Tanh                           14x14 -> 28x28
D: Conv2d(1, 2, 4, 2, 1) -> LeakyReLU(0.2) -> Conv2d(2, 4, 4, 2, 1) -> BatchNorm -> LeakyReLU(0.2)
     -> Flatten -> Dense(196, 1)
```

As before, the generator's gradient passes through a fixed $D$, checked along random directions in
parameter space. One more thing the numbers show: the bias of a layer right before a BatchNorm gets
gradient **0**, because the normalisation subtracts the channel's mean, so shifting it changes nothing.
DCGAN implementations leave that bias out.
"""),
    code(r"""
G = Sequential(Dense(5, 196, rng=0, dtype=np.float64), BatchNorm(196, dtype=np.float64), ReLU(), Reshape((4, 7, 7)),
               ConvTranspose2d(4, 2, 4, 2, 1, rng=1, dtype=np.float64), BatchNorm(2, dtype=np.float64), ReLU(),
               ConvTranspose2d(2, 1, 4, 2, 1, rng=2, dtype=np.float64), Tanh())
D = Sequential(Conv2d(1, 2, 4, 2, 1, rng=3, dtype=np.float64), LeakyReLU(0.2),
               Conv2d(2, 4, 4, 2, 1, rng=4, dtype=np.float64), BatchNorm(4, dtype=np.float64), LeakyReLU(0.2),
               Flatten(), Dense(196, 1, rng=5, dtype=np.float64))
z = rng.uniform(-1, 1, (6, 5))

fake = G.forward(z)
print("G(z):", fake.shape, "  D(G(z)):", D.forward(fake).shape)
_, dlogits = bce_with_logits(D.forward(fake), 1.0)
G.zero_grad()
G.backward(D.backward(dlogits, param_grads=False), input_grad=False)
grad = G.flat_grads.copy()

g_loss = lambda: bce_with_logits(D.forward(G.forward(z)), 1.0)[0]
errors = []
for _ in range(3 if FAST else 10):
    d = rng.standard_normal(G.flat_params.size)
    errors.append(relative_error(grad @ d, directional_derivative(g_loss, G.flat_params, d)))
report("DCGAN-G-through-D", {"all-params": max(errors)})
print("largest |gradient| of the biases before a BatchNorm:", np.abs(G.grads["0/b"]).max(), np.abs(G.grads["4/b"]).max())
"""),
    md(r"""
## What a wrong gradient looks like

Some backprop bugs are loud: a missing transpose in `dy @ W.T` usually gives a shape error at once.
The dangerous ones have the right shapes and wrong numbers. Training still runs and the losses still print;
the GAN just learns badly, or not at all, and nothing says why. Two classics:

- a Leaky ReLU whose backward **forgets $\alpha$**: it passes the gradient unchanged where $x < 0$ (slope 1
  instead of 0.01);
- a Dense layer whose bias gradient **averages over the batch instead of summing**: $\partial L/\partial b$
  is $N$ times too small;
- a BatchNorm whose backward **forgets that the batch couples the examples**: it treats $\mu$ and
  $\sigma$ as constants and returns $\gamma\, dy/\sigma$, right in evaluation mode, wrong in training.

The check flags exactly the wrong array and leaves the right ones alone. That holds even inside a whole
network, where it names the faulty parameter (`0/b`).
"""),
    code(r"""
class ForgetfulLeakyReLU(LeakyReLU):
    def backward(self, dy, *, input_grad=True, param_grads=True):
        return dy                                # BUG: the slope for x < 0 should be alpha, not 1


class BatchMeanDense(Dense):
    def backward(self, dy, *, input_grad=True, param_grads=True):
        if param_grads:
            self.grads["W"] += self.x.T @ dy
            self.grads["b"] += dy.mean(axis=0)   # BUG: the bias is shared by the batch -> sum, not mean
        return dy @ self.params["W"].T if input_grad else None


x = rng.standard_normal((5, 6))
report("ForgetfulLeakyReLU", check_layer(ForgetfulLeakyReLU(0.01), x, rng=1))
report("BatchMeanDense", check_layer(BatchMeanDense(6, 3, rng=0, dtype=np.float64), x, rng=1))

buggy_D = Sequential(BatchMeanDense(12, 8, rng=0, dtype=np.float64), LeakyReLU(0.01),
                     Dense(8, 1, rng=1, dtype=np.float64))
report("BuggyDiscriminator", check_layer(buggy_D, rng.uniform(-1, 1, (5, 12)), rng=1))


class UncoupledBatchNorm(BatchNorm):
    def backward(self, dy, *, input_grad=True, param_grads=True):
        self.batch_statistics = False            # BUG: as if mu and sigma did not depend on x
        return super().backward(dy, input_grad=input_grad, param_grads=param_grads)


report("UncoupledBatchNorm", check_layer(UncoupledBatchNorm(6, dtype=np.float64), x, rng=1))
"""),
    md(r"""
## Reading the numbers

- around $10^{-10}$ or below: the gradient is right;
- $10^{-6}$ to $10^{-3}$: suspect. Either a subtle bug, or a check that straddles a kink (Leaky ReLU at 0),
  or one done in float32;
- $10^{-2}$ and above: the gradient is wrong.

The test suite (`tests/test_layers.py`, `tests/test_conv.py`, `tests/test_norm.py` and the GAN tests) runs the
same checks on every change, so a backward pass in npgan cannot quietly go wrong.
"""),
]
