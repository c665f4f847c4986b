"""Notebook 03: a deep convolutional GAN (DCGAN), layer by layer and trained by hand (English and Chinese)."""
from cells import code, md, setup_code
from measured import DCGAN as M

STEPS_PER_EPOCH = 55_000 // 64  # the full run: TF1's 55,000 training images, batch 64
MINUTES_PER_EPOCH = M["minutes"] / M["epochs"]

FULL_EN = (
    f"The full run, `python -m npgan.train --model dcgan --loss ns --minutes 20` (width {M['width']}, the default), trained "
    f"{M['epochs']} epochs in {M['minutes']:.0f} minutes on one core of the 2-core machine npgan is developed on, "
    f"about {MINUTES_PER_EPOCH:.2f} minutes an epoch of {STEPS_PER_EPOCH} steps (the other core was training "
    f"another model). `python -m npgan.evaluate` gives its weight average (the saved generator) an FID of "
    f"{M['fid_average']:.1f} and the live G {M['fid']:.1f}: after {M['epochs']} epochs the average no longer helps "
    f"much (after 9 epochs it did: {M['fid_average_early']:.1f} against {M['fid_early']:.1f}). For comparison, the "
    f"tutorial's 100 epochs score 44, PyTorch running this DCGAN for the same 20 minutes {M['fid_pytorch']:.1f}, "
    f"and npgan's batch-norm MLP (`--model mlp-bn --loss ns`) {M['fid_mlp_bn']:.1f}: lower is better. (Both "
    f"models now train with other losses by default, each the best measured in 20 minutes: notebook 05.)")
FULL_ZH = (
    f"完整运行 `python -m npgan.train --model dcgan --loss ns --minutes 20`(默认宽度 {M['width']})在开发 npgan 的双核机器上用一个核"
    f"在 {M['minutes']:.0f} 分钟里训练了 {M['epochs']} 个 epoch,每个 epoch({STEPS_PER_EPOCH} 步)约 "
    f"{MINUTES_PER_EPOCH:.2f} 分钟(另一个核同时在训练别的模型)。"
    f"`python -m npgan.evaluate` 给出权重平均(即保存的生成器)的 FID 为 {M['fid_average']:.1f},"
    f"实时的 G 为 {M['fid']:.1f}:训练 {M['epochs']} 个 epoch 之后,权重平均已经帮不了多少"
    f"(第 9 个 epoch 时还有帮助:{M['fid_average_early']:.1f} 对 {M['fid_early']:.1f})。作为比较,"
    f"教程训练 100 个 epoch 的得分是 44,PyTorch 用同样的 20 分钟训练这个 DCGAN 得 "
    f"{M['fid_pytorch']:.1f},npgan 的批归一化 MLP(`--model mlp-bn --loss ns`)得 {M['fid_mlp_bn']:.1f}:越低越好。"
    f"(这两个模型现在默认用别的损失函数训练,各自是 20 分钟内测得最好的:见笔记本 05。)")

NB03 = [
    md(r"""
# A deep convolutional GAN (DCGAN), in pure NumPy

![Digits drawn by the DCGAN this notebook trains](../docs/figures/dcgan_samples.png)

*Where we are going: digits drawn by the convolutional generator this notebook trains in about 20 minutes.*

Notebook 01's networks treat an image as 784 unrelated numbers: the first layer has a separate weight for
every pixel and unit, so it must learn on its own that a stroke here and the same stroke two pixels to the
right are alike. A **deep convolutional GAN** (DCGAN, Radford, Metz and Chintala, 2016) builds that
knowledge in. Its discriminator reads an image with **convolutions** (28×28 → 14×14 → 7×7), its generator
paints one with **transposed convolutions** (7×7 → 14×14 → 28×28), and **batch normalisation** keeps
both trainable.

This notebook takes each piece in turn: why convolution, how a convolution becomes one matrix product
(im2col), how a transposed convolution upsamples, what batch norm does for a GAN; then it builds the DCGAN
from npgan's layers, trains it with the loop written out, and shows why the *average* of the generator's
weights often draws cleaner digits than the generator itself. Notebook `02_backprop_and_gradient_checks.ipynb`
derives and checks every one of these layers' gradients.

**Running it.** The full run trains for 20 minutes on one core. `NPGAN_FAST=1` trains a narrow DCGAN
for a few hundred steps instead, in seconds (the test suite does this): its digits are only blobs.
""", r"""
# 用纯 NumPy 训练深度卷积 GAN(DCGAN)

![本笔记本训练的 DCGAN 写出的数字](../docs/figures/dcgan_samples.png)

*我们的目标:本笔记本用大约 20 分钟训练出的卷积生成器写出的数字。*

笔记本 01 的网络把一张图像看作 784 个互不相关的数:第一层为每个像素和每个单元都准备了单独的权重,
所以它必须自己去学会“这里的一笔”和“向右挪两个像素的同一笔”其实是一回事。
**深度卷积 GAN**(DCGAN,Radford、Metz 和 Chintala,2016)把这一点直接写进了网络结构:
辨别器用**卷积**读图(28×28 → 14×14 → 7×7),生成器用**转置卷积**画图(7×7 → 14×14 → 28×28),
**批归一化**(batch normalization)则让两个网络都训练得动。

这个笔记本逐一讲解其中的每一部分:为什么用卷积,卷积怎样变成一次矩阵乘法(im2col),转置卷积怎样放大图像,
批归一化对 GAN 有什么作用;然后用 npgan 的网络层搭出 DCGAN,把训练循环完整写出来训练它,
并说明为什么生成器权重的*平均*往往比生成器本身画出的数字更干净。
笔记本 `02_backprop_and_gradient_checks.ipynb` 推导并验证了这里每一层的梯度。

**如何运行。** 完整运行在一个 CPU 核上训练 20 分钟。设置 `NPGAN_FAST=1` 则改为训练一个很窄的 DCGAN,
只跑几百步,几秒钟就结束(测试套件就是这样运行的):这时画出来的只是一些模糊的团块。
"""),
    setup_code(
        "One BLAS thread, as in notebook 01: a second one slows down badly on a busy machine.",
        "NPGAN_FAST=1: a narrow DCGAN, a few hundred steps (the test suite does this); unset = the real thing.",
        r"""
from npgan.checkpoints import generator_arrays, load_generator
from npgan.conv import Conv2d, ConvTranspose2d, channels_last, im2col, pad
from npgan.data import load_mnist
from npgan.gan import GANConfig, sample_z, to_unit_range
from npgan.layers import Dense, Flatten, LeakyReLU, ReLU, Reshape, Sequential, Tanh
from npgan.losses import bce_with_logits
from npgan.models import dcgan, describe
from npgan.norm import BatchNorm
from npgan.optim import EMA, Adam
from npgan.plots import image_grid, sample_grid_figure
from npgan.sample import draw
"""),
    code(r"""
images, _ = load_mnist("train", data_dir=DATA_DIR, download=DOWNLOAD)
train_images = images[5000:]          # the same 55,000 images as notebook 01
if FAST:
    train_images = train_images[:4096]
print("we train on", len(train_images), "images")
"""),
    md(r"""
## Why convolution

Two facts about images make a dense layer wasteful:

- **locality**: what a pixel means depends on its neighbours. Strokes, corners and line ends are small
  patterns, a few pixels across;
- **the same pattern can appear anywhere**: a 7 shifted two pixels to the right is still a 7.

A convolution builds both in. It slides a small **kernel** (here $4 \times 4$) over the image; each output
value is the dot product of one window of the input with the kernel, plus a bias:

$$y_{o,i,j} = b_o + \sum_{c,u,v} W_{o,c,u,v}\; x^\text{pad}_{c,\,s i + u,\,s j + v}.$$

Every output sees only its window (locality), and every window is read with the *same* weights $W_o$
(shared weights). With stride $s = 2$ the kernel steps two pixels at a time, so 28×28 becomes 14×14, and
padding $p = 1$ adds a border of zeros so the windows fit: $H_\text{out} = (H + 2p - k)/s + 1$.

A DCGAN discriminator's first layer at width 64 (the paper's; npgan's default is 32),
`Conv2d(1, 64, 4, stride=2, padding=1)`, has 64 kernels of $4 \times 4$ and turns one 28×28 image into
64 maps of 14×14. Count its parameters against a dense layer
with as many outputs:
""", r"""
## 为什么用卷积

图像有两个特点,让全连接层显得很浪费:

- **局部性**:一个像素的含义取决于它的邻居。笔画、拐角、线条的端点都是只有几个像素大小的小图案;
- **同一个图案可以出现在任何位置**:向右挪两个像素的 7 仍然是 7。

卷积把这两点都写进了结构里。它让一个小小的**卷积核**(这里是 $4 \times 4$)在图像上滑动;
每个输出值就是输入的一个窗口与卷积核的点积,再加上偏置:

$$y_{o,i,j} = b_o + \sum_{c,u,v} W_{o,c,u,v}\; x^\text{pad}_{c,\,s i + u,\,s j + v}.$$

每个输出只看它自己的窗口(局部性),而每个窗口都用*同一组*权重 $W_o$ 来读(权重共享)。
步长 $s = 2$ 表示卷积核每次移动两个像素,于是 28×28 变成 14×14;填充 $p = 1$ 在四周补一圈 0,让窗口放得下:
$H_\text{out} = (H + 2p - k)/s + 1$。

宽度为 64(论文中的宽度;npgan 默认为 32)时,DCGAN 辨别器的第一层 `Conv2d(1, 64, 4, stride=2, padding=1)` 有 64 个 $4 \times 4$ 的卷积核,
把一张 28×28 的图像变成 64 张 14×14 的特征图。我们来数一数它的参数,并和输出一样多的全连接层比较:
"""),
    code(r"""
conv = Conv2d(1, 64, 4, stride=2, padding=1, init="dcgan", rng=0)
outputs = 64 * 14 * 14
print(f"Conv2d(1, 64, 4, stride=2, padding=1): {conv.params['W'].size + conv.params['b'].size:,} parameters "
      f"-> {outputs:,} outputs")
print(f"Dense(784, {outputs:,}), as many outputs:  {784 * outputs + outputs:,} parameters")

# Shared weights: move a digit two pixels to the right, and its 14x14 maps move one place (stride 2).
# (Compared away from the edges, where the zero padding meets the digit's background of -1.)
digit = to_unit_range(train_images[:1]).reshape(1, 1, 28, 28)    # one image, (N, C, H, W)
moved = np.roll(digit, 2, axis=3)                                 # the border is blank: a clean shift
print("conv(moved digit) == conv(digit) moved one place:",
      np.allclose(conv.forward(moved)[..., 2:-1], conv.forward(digit)[..., 1:-2], atol=1e-6))
"""),
    md(r"""
## im2col: a convolution as one matrix product

Each output value is a window times a kernel. Copy every window into a row of a matrix, **cols**
("image to columns"): one row per output position, one column per pixel of the window. Then all the dot
products of all the kernels at all the positions are *one* matrix product,

$$Y = \text{cols}\; W_\text{mat} + b, \qquad \text{cols}: (N H_\text{out} W_\text{out},\; k k C_\text{in}), \quad
W_\text{mat}: (k k C_\text{in},\; C_\text{out}),$$

which BLAS computes near the machine's peak speed: npgan's `Conv2d` is a `Dense` layer whose rows are
windows. Here are the windows of the (padded) digit, with three of them marked. Below, `cols` is drawn
transposed, one window per column: the 196 windows of the 14×14 output, 16 pixels each.
""", r"""
## im2col:把卷积变成一次矩阵乘法

每个输出值都是一个窗口乘以一个卷积核。把每个窗口复制成一个矩阵中的一行,得到 **cols**
(im2col,“image to columns”):每个输出位置一行,窗口里的每个像素一列。
于是所有卷积核在所有位置上的所有点积就变成了*一次*矩阵乘法:

$$Y = \text{cols}\; W_\text{mat} + b, \qquad \text{cols}: (N H_\text{out} W_\text{out},\; k k C_\text{in}), \quad
W_\text{mat}: (k k C_\text{in},\; C_\text{out}),$$

BLAS 能以接近机器峰值的速度完成它:npgan 的 `Conv2d` 就是一个以窗口为行的 `Dense` 层。
下面是(填充后的)数字图像的窗口,其中三个做了标记。下方把 `cols` 转置后画出来,每一列是一个窗口:
14×14 的输出对应 196 个窗口,每个窗口 16 个像素。
"""),
    code(r"""
from matplotlib.patches import Rectangle

padded = pad(channels_last(digit), 1)            # (1, 30, 30, 1): npgan's convolutions work channels-last
cols = im2col(padded, kernel_size=4, stride=2)   # (196, 16): window (i, j) is row 14 i + j
print("padded image", padded.shape[1:3], "-> cols", cols.shape)

picks, colors = [(4, 6), (7, 7), (10, 5)], ["tab:red", "tab:green", "tab:blue"]   # output positions (i, j)
fig = plt.figure(figsize=(12, 6))
ax = fig.add_axes((0.02, 0.3, 0.3, 0.65))
ax.imshow(padded[0, :, :, 0], cmap="Greys_r", vmin=-1, vmax=1)
ax.set_title("padded digit, 30x30, three 4x4 windows")
for n, ((i, j), color) in enumerate(zip(picks, colors)):
    ax.add_patch(Rectangle((2 * j - 0.5, 2 * i - 0.5), 4, 4, fill=False, color=color, lw=2.5))
    window = fig.add_axes((0.38 + 0.2 * n, 0.45, 0.14, 0.4))
    window.imshow(cols[14 * i + j].reshape(4, 4), cmap="Greys_r", vmin=-1, vmax=1)
    window.set_title(f"window ({i}, {j}) = row {14 * i + j}", color=color)
strip = fig.add_axes((0.02, 0.05, 0.96, 0.17))
strip.imshow(cols.T, cmap="Greys_r", vmin=-1, vmax=1, aspect="auto", interpolation="nearest")
for (i, j), color in zip(picks, colors):
    strip.add_patch(Rectangle((14 * i + j - 0.5, -0.5), 1, 16, fill=False, color=color, lw=2))
strip.set_title("cols.T: 196 windows (columns) x 16 pixels (rows)")
for a in fig.axes:
    a.set_xticks([])
    a.set_yticks([])
plt.show()

# The whole convolution: one matrix product, then a reshape to (14, 14, 64) maps
product = (cols @ conv.weight_matrix() + conv.params["b"]).reshape(14, 14, 64)
print("cols @ W_mat + b == Conv2d.forward:", np.allclose(product, conv.forward(digit)[0].transpose(1, 2, 0), atol=1e-6))
"""),
    md(r"""
## Transposed convolution: upsampling, step by step

The generator goes the other way, from a small map to a larger one. A **transposed convolution** does it
by painting: each input pixel adds a copy of the kernel, scaled by the pixel's value, to the output; the
copies are placed `stride` pixels apart, and where they overlap they add up. The output has
$(H - 1)\,s - 2p + k$ pixels a side (the padding $p$ is cropped from the border).

Here is a 2×2 input, a 3×3 kernel you can read, stride 2: four painted kernels, and their sum, which is
exactly what `ConvTranspose2d` returns.
""", r"""
## 转置卷积:一步一步地放大

生成器的方向正好相反:从小的特征图画出大的。**转置卷积**用“盖印章”的方式完成这件事:
每个输入像素把卷积核的一份拷贝(乘以该像素的值)加到输出上;这些拷贝之间相隔 `stride` 个像素,
重叠的地方相加。输出的边长为 $(H - 1)\,s - 2p + k$(填充 $p$ 从边缘裁掉)。

下面是一个 2×2 的输入、一个能看清数值的 3×3 卷积核、步长 2:四个盖上去的卷积核,以及它们的和,
这正是 `ConvTranspose2d` 的输出。
"""),
    code(r"""
def show_numbers(ax, array, title):
    # A small array as coloured cells with its values written in
    limit = max(np.abs(array).max(), 1e-9)
    ax.imshow(array, cmap="RdBu_r", vmin=-limit, vmax=limit)
    for (r, c), value in np.ndenumerate(array):
        ax.text(c, r, f"{value:g}", ha="center", va="center", fontsize=9)
    ax.set_title(title, fontsize=10)
    ax.set_xticks([])
    ax.set_yticks([])


x = np.array([[1.0, 2.0], [3.0, -1.0]]).reshape(1, 1, 2, 2)
kernel = np.array([[0.0, 1, 0], [1, 2, 1], [0, 1, 0]])
up = ConvTranspose2d(1, 1, kernel_size=3, stride=2, padding=0, dtype=np.float64)
up.params["W"][...] = kernel                      # W is (in, out, k, k) = (1, 1, 3, 3); the bias stays 0
y = up.forward(x)[0, 0]                           # (2 - 1) * 2 - 0 + 3 = 5: a 5x5 output

# By hand: input pixel (i, j) adds x[i, j] * kernel at rows 2i..2i+2, columns 2j..2j+2 of the output
painted = []
for i in range(2):
    for j in range(2):
        canvas = np.zeros((5, 5))
        canvas[2 * i:2 * i + 3, 2 * j:2 * j + 3] = x[0, 0, i, j] * kernel
        painted.append((canvas, f"x[{i},{j}] = {x[0, 0, i, j]:g} paints"))
print("sum of the painted kernels == ConvTranspose2d.forward:", np.allclose(sum(c for c, _ in painted), y))

fig, axes = plt.subplots(1, 7, figsize=(16, 2.8))
panels = [(x[0, 0], "input, 2x2"), (kernel, "kernel, 3x3")] + painted + [(y, "their sum: output, 5x5")]
for ax, (array, title) in zip(axes, panels):
    show_numbers(ax, array, title)
plt.show()
"""),
    md(r"""
**Why the DCGAN's kernel is 4 with stride 2.** Paint with a kernel of ones on an input of ones and the
output counts how many copies land on each pixel. With $k = 3$, $s = 2$ the counts alternate 1, 2, 1, 2:
some pixels get twice the paint of their neighbours, a checkerboard the generator must fight in every
image (Odena, Dumoulin and Olah, "Deconvolution and checkerboard artifacts", 2016). When $k$ is a multiple
of $s$, every inner pixel gets the same number: $k = 4$, $s = 2$, $p = 1$ doubles 7×7 to 14×14 exactly,
evenly.
""", r"""
**为什么 DCGAN 的卷积核是 4、步长是 2。** 用全是 1 的卷积核在全是 1 的输入上“盖印章”,输出就记录了每个像素
被盖了几次。当 $k = 3$、$s = 2$ 时,次数是 1、2、1、2 交替出现:有些像素得到的颜料是邻居的两倍,
形成棋盘格,生成器在每张图里都得和它对抗(Odena、Dumoulin 和 Olah,《Deconvolution and checkerboard artifacts》,2016)。
当 $k$ 是 $s$ 的整数倍时,每个内部像素被盖的次数都一样:$k = 4$、$s = 2$、$p = 1$ 恰好把 7×7 均匀地放大成 14×14。
"""),
    code(r"""
def coverage(k, s, p, size=4):
    # How many painted kernels land on each output pixel: all-ones kernel, all-ones input
    layer = ConvTranspose2d(1, 1, k, stride=s, padding=p, dtype=np.float64)
    layer.params["W"][...] = 1
    return layer.forward(np.ones((1, 1, size, size)))[0, 0]


fig, axes = plt.subplots(1, 2, figsize=(9, 4.5))
show_numbers(axes[0], coverage(3, 2, 0), "k = 3, s = 2: a checkerboard")
show_numbers(axes[1], coverage(4, 2, 1), "k = 4, s = 2, p = 1: even inside")
plt.show()
"""),
    md(r"""
**Why it is the gradient of a convolution.** A convolution is linear in its input: $y = A x$ for a big,
sparse matrix $A$ made of copies of the kernel. Its backward pass computes $\partial L/\partial x = A^\top
\,\partial L/\partial y$: the gradient of each output flows back to the $k \times k$ input pixels its window
read, weighted by the kernel. That is painting: each output gradient adds a scaled copy of the kernel onto
its window. A transposed convolution is this backward pass used as a forward pass, $y = A^\top x$, hence
its name, and a 14×14 → 7×7 convolution's transpose maps 7×7 → 14×14. npgan's `ConvTranspose2d.forward`
*is* the code of `Conv2d.backward`, with the same weight array:
""", r"""
**为什么它是卷积的梯度。** 卷积对输入是线性的:$y = A x$,其中 $A$ 是一个由卷积核的拷贝组成的大型稀疏矩阵。
它的反向传播计算 $\partial L/\partial x = A^\top\,\partial L/\partial y$:每个输出的梯度流回它的窗口读过的
$k \times k$ 个输入像素,并按卷积核加权。这正是“盖印章”:每个输出梯度把一份乘了系数的卷积核加到它的窗口上。
转置卷积就是把这个反向传播当作前向传播来用,$y = A^\top x$,名字也由此而来;一个把 14×14 变成 7×7 的卷积,
它的转置把 7×7 变成 14×14。npgan 的 `ConvTranspose2d.forward` *就是* `Conv2d.backward` 的代码,用的是同一个权重数组:
"""),
    code(r"""
rng = np.random.default_rng(0)
down = Conv2d(2, 3, 4, stride=2, padding=1, rng=0, dtype=np.float64)        # 14x14 -> 7x7
up = ConvTranspose2d(3, 2, 4, stride=2, padding=1, dtype=np.float64)        # 7x7 -> 14x14
up.params["W"][...] = down.params["W"]   # Conv2d's W is (out, in, k, k); ConvTranspose2d's (in, out, k, k)

x = rng.standard_normal((1, 2, 14, 14))
g = rng.standard_normal((1, 3, 7, 7))    # an upstream gradient for the 7x7 output
down.forward(x)
dx = down.backward(g)                    # the convolution's input gradient, A^T g
print("Conv2d.backward(g):", dx.shape, "| ConvTranspose2d.forward(g):", up.forward(g).shape,
      "| largest difference:", np.abs(dx - up.forward(g)).max())
"""),
    md(r"""
## The DCGAN, built from npgan layers

With width $w$ (the number of kernels of D's first convolution: 32 by default, 8 in fast mode):

```
G: z (100) -> Dense(2w·7·7) -> BatchNorm -> ReLU -> Reshape(2w, 7, 7)
           -> ConvTranspose2d(2w, w, 4, 2, 1) -> BatchNorm -> ReLU        7×7 -> 14×14
           -> ConvTranspose2d(w, 1, 4, 2, 1) -> Tanh -> Flatten           14×14 -> 28×28, a row of 784
D: a row of 784 -> Reshape(1, 28, 28)
           -> Conv2d(1, w, 4, 2, 1) -> LeakyReLU(0.2)                     28×28 -> 14×14
           -> Conv2d(w, 2w, 4, 2, 1) -> BatchNorm -> LeakyReLU(0.2)       14×14 -> 7×7
           -> Flatten -> Dense(1)                                          a logit
```

The DCGAN paper's rules are all here: strided convolutions instead of pooling (the networks learn their
own down- and upsampling); batch norm in both networks, but not on G's output nor on D's input; ReLU in G,
Leaky ReLU with slope 0.2 in D; tanh for the image; weights drawn from $\mathcal N(0, 0.02^2)$
(`init="dcgan"`); Adam with learning rate $2 \cdot 10^{-4}$ and $\beta_1 = 0.5$ (the usual 0.9 made their
training oscillate). G ends with `Flatten` and D begins with `Reshape`, so both speak in rows of 784
pixels like the tutorial's networks: the same loss, sample grids and generator files serve every model.

The hyperparameters are those of `python -m npgan.train --model dcgan --loss ns`, the paper's BCE loss
(`--model dcgan` alone now trains with the hinge loss and spectral norm, which scored best in 20 minutes;
notebook 05 shows why):
""", r"""
## 用 npgan 的网络层搭建 DCGAN

设宽度为 $w$(辨别器第一个卷积的卷积核个数:默认为 32,快速模式下为 8):

```
G: z (100) -> Dense(2w·7·7) -> BatchNorm -> ReLU -> Reshape(2w, 7, 7)
           -> ConvTranspose2d(2w, w, 4, 2, 1) -> BatchNorm -> ReLU        7×7 -> 14×14
           -> ConvTranspose2d(w, 1, 4, 2, 1) -> Tanh -> Flatten           14×14 -> 28×28,一行 784 个数
D: 一行 784 个数 -> Reshape(1, 28, 28)
           -> Conv2d(1, w, 4, 2, 1) -> LeakyReLU(0.2)                     28×28 -> 14×14
           -> Conv2d(w, 2w, 4, 2, 1) -> BatchNorm -> LeakyReLU(0.2)       14×14 -> 7×7
           -> Flatten -> Dense(1)                                          一个 logit
```

DCGAN 论文的规则都在这里:用带步长的卷积代替池化(让网络自己学习如何缩小和放大);两个网络都用批归一化,
但生成器的输出层和辨别器的输入层不用;生成器用 ReLU,辨别器用斜率 0.2 的 Leaky ReLU;图像由 tanh 输出;
权重从 $\mathcal N(0, 0.02^2)$ 中抽取(`init="dcgan"`);Adam 的学习率为 $2 \cdot 10^{-4}$,$\beta_1 = 0.5$
(常用的 0.9 会让他们的训练来回震荡)。生成器以 `Flatten` 结尾,辨别器以 `Reshape` 开头,
所以两个网络和教程的网络一样,都以 784 个像素的行作为接口:同样的损失函数、样本网格和生成器文件适用于所有模型。

超参数取 `python -m npgan.train --model dcgan --loss ns` 的值,即论文的 BCE 损失
(单独的 `--model dcgan` 现在用 hinge 损失和谱归一化训练,它在 20 分钟内得分最好;笔记本 05 讲为什么):
"""),
    code(r"""
config = GANConfig.for_model("dcgan", loss="ns")     # the trainer's settings for --model dcgan --loss ns
z_size, alpha, smooth = config.z_size, config.alpha, config.smooth
lr, beta1, batch_size = config.lr, config.beta1, config.batch_size
width = 8 if FAST else config.width       # kernels of D's first convolution
ema_decay = 0.95 if FAST else (config.ema or 0.999)   # the weight average, see below
epochs = 6 if FAST else config.epochs
minutes = None if FAST else 20            # the full run stops after the epoch that passes 20 minutes
seed = 0
print(f"width {width}, z {z_size}, batch {batch_size}, Adam lr {lr} beta1 {beta1}, LeakyReLU {alpha}, "
      f"label smoothing {smooth}, average decay {ema_decay}, at most {epochs} epochs"
      + (f" or {minutes} minutes" if minutes else ""))
"""),
    code(r"""
def generator(z_size, width, rng=None, batch_norm=True):
    # z (N, z_size) -> images as rows (N, 784) in (-1, 1)
    w = width

    def norm(channels):   # batch norm, or nothing (to see what it does)
        return [BatchNorm(channels)] if batch_norm else []

    return Sequential(
        Dense(z_size, 2 * w * 7 * 7, init="dcgan", rng=rng), *norm(2 * w * 7 * 7), ReLU(),
        Reshape((2 * w, 7, 7)),
        ConvTranspose2d(2 * w, w, 4, stride=2, padding=1, init="dcgan", rng=rng), *norm(w), ReLU(),
        ConvTranspose2d(w, 1, 4, stride=2, padding=1, init="dcgan", rng=rng), Tanh(),
        Flatten(),
    )


def discriminator(width, alpha=0.2, rng=None):
    # images as rows (N, 784) -> logits (N, 1)
    w = width
    return Sequential(
        Reshape((1, 28, 28)),
        Conv2d(1, w, 4, stride=2, padding=1, init="dcgan", rng=rng), LeakyReLU(alpha),
        Conv2d(w, 2 * w, 4, stride=2, padding=1, init="dcgan", rng=rng), BatchNorm(2 * w), LeakyReLU(alpha),
        Flatten(),
        Dense(2 * w * 7 * 7, 1, init="dcgan", rng=rng),
    )


rng = np.random.default_rng(seed)
G = generator(z_size, width, rng)
D = discriminator(width, alpha, rng)

# The same layers as npgan.models.dcgan, which python -m npgan.train --model dcgan --loss ns trains
G_lib, D_lib = dcgan(GANConfig.for_model("dcgan", loss="ns", width=width), rng=0, dtype=np.float32)
print("same layers as npgan.models.dcgan:", describe(G) == describe(G_lib) and describe(D) == describe(D_lib))

h = sample_z(rng, 2, z_size)
print(f"{'G':<16}{str(h.shape):>18}")
for layer in G.layers:
    h = layer.forward(h)
    print(f"  {type(layer).__name__:<14}{str(h.shape):>18}")
print(f"{'D':<16}{str(h.shape):>18}")
for layer in D.layers:
    h = layer.forward(h)
    print(f"  {type(layer).__name__:<14}{str(h.shape):>18}")
print(f"parameters: G {G.flat_params.size:,}, D {D.flat_params.size:,}")
"""),
    md(r"""
## What batch norm does for a GAN

`BatchNorm` normalises each channel over the batch, $\hat x = (x - \mu_B)/\sigma_B$, then scales and
shifts it, $y = \gamma \hat x + \beta$ (notebook 02 derives its gradient). Whatever the weights before it
do, each channel leaves with mean $\beta$ and spread $\gamma$.

**In G, it keeps the signal alive.** With weights of spread 0.02, every layer shrinks what passes through
it: the dense layer's outputs have a spread of about $0.02 \sqrt{100/3} \approx 0.1$, and each transposed
convolution multiplies that by roughly $0.02 \sqrt{\text{(inputs per output)}/2}$, less than 1. Without
batch norm the tanh receives almost nothing and every image is the same flat grey; the backward pass
shrinks the same way, so G also learns slowly. With it, every batch-normalised layer starts at spread 1. Here is the
standard deviation after each layer, for the same weights with and without batch norm:
""", r"""
## 批归一化对 GAN 有什么用

`BatchNorm` 在批次上对每个通道做归一化,$\hat x = (x - \mu_B)/\sigma_B$,然后缩放并平移,
$y = \gamma \hat x + \beta$(笔记本 02 推导了它的梯度)。无论前面的权重做了什么,每个通道输出的均值都是 $\beta$,
分散程度都是 $\gamma$。

**在生成器里,它让信号不至于消失。** 权重的标准差只有 0.02,每一层都会把通过它的信号缩小:
全连接层输出的标准差约为 $0.02 \sqrt{100/3} \approx 0.1$,每个转置卷积再把它乘上大约
$0.02 \sqrt{(\text{每个输出的输入个数})/2}$,小于 1。没有批归一化时,tanh 几乎什么也收不到,
每张图像都是同样平淡的灰色;反向传播也以同样的方式缩小,所以生成器学得也慢。有了它,每个批归一化层的输出一开始的标准差都是 1。
下面是同一组权重在有、无批归一化时,每一层输出的标准差:
"""),
    code(r"""
def spreads(net, x):
    # The standard deviation of each layer's output, and the final output
    out = []
    for layer in net.layers:
        x = layer.forward(x)
        out.append((type(layer).__name__, float(x.std())))
    return out, x


z = sample_z(np.random.default_rng(1), batch_size, z_size)
with_bn, images_bn = spreads(generator(z_size, width, np.random.default_rng(seed)), z)
without_bn, images_plain = spreads(generator(z_size, width, np.random.default_rng(seed), batch_norm=False), z)
for title, rows in [("with batch norm", with_bn), ("without batch norm (same weights)", without_bn)]:
    print(f"{title}:\n   " + " -> ".join(f"{name} {std:.3f}" for name, std in rows if name not in ("Reshape", "Flatten")))

fig, axes = plt.subplots(1, 2, figsize=(10, 5))
for ax, imgs, title in [(axes[0], images_bn, "untrained G, with batch norm"), (axes[1], images_plain, "without")]:
    ax.imshow(image_grid(imgs[:16], 4, 4), cmap="Greys_r", vmin=0, vmax=1)
    ax.set_title(title)
    ax.axis("off")
plt.show()
"""),
    md(r"""
**In D, real and fake batches go through separately.** In training mode batch norm makes each example's
output depend on the rest of its batch. In the generator step, $D$ judges a batch of fakes alone, and that
judgement is the gradient $G$ learns from; so the D step shows $D$ the same kind of batches: one batch of
real images, one batch of fakes, each normalised with its own statistics (the DCGAN reference code does
the same; npgan's `GAN` does it for every model with batch norm in D, in one pass that tells batch norm
where each batch starts, `D.forward(batch, groups=(n, n))`: the same numbers, one larger product per
layer). The tutorial's one stacked batch would be a different function: its statistics mix both kinds.

You can see the difference at D's batch norm. Stacked, the real and the fake halves sit on opposite sides
of each channel's mean (a whole channel is brighter for one kind); apart, each batch is centred on its own,
so that crude cue is gone and $D$ must tell them apart by what varies *within* a batch:
""", r"""
**在辨别器里,真实批次和伪造批次分开通过。** 在训练模式下,批归一化让每个样本的输出都依赖于同一批次中的其他样本。
在训练生成器的那一步,$D$ 单独评判一批假图像,而这个评判正是 $G$ 学习所用的梯度;所以训练 $D$ 时也给它看同样的批次:
一批真实图像、一批假图像,各自用自己的统计量归一化(DCGAN 的参考实现也是这样做的;npgan 的 `GAN` 对每个辨别器含批归一化的模型都这样做,
只用一遍前向传播,告诉批归一化每个批次从哪里开始:`D.forward(batch, groups=(n, n))`,数值相同,每层做一次更大的矩阵乘法)。
教程那种把两者叠成一个批次的做法会变成另一个函数:它的统计量把两类图像混在了一起。

在辨别器的批归一化层上就能看出区别。叠在一起时,真实的一半和伪造的一半分别落在每个通道均值的两侧
(整个通道对某一类图像更亮);分开时,每个批次都以自己为中心,这个粗糙的线索就消失了,
$D$ 必须靠批次*内部*的差异来区分它们:
"""),
    code(r"""
real = to_unit_range(train_images[:batch_size])
fake = G.forward(sample_z(np.random.default_rng(2), batch_size, z_size))   # the untrained G's grey images
upto_norm = D.layers[:5]      # Reshape, Conv2d, LeakyReLU, Conv2d, BatchNorm


def through(layers, x):
    for layer in layers:
        x = layer.forward(x)
    return x


def channel_means(x):   # (N, C, H, W) -> (C,)
    return x.mean(axis=(0, 2, 3))


stacked = through(upto_norm, np.concatenate([real, fake]))
for title, real_out, fake_out in [("stacked", stacked[:batch_size], stacked[batch_size:]),
                                  ("separate", through(upto_norm, real), through(upto_norm, fake))]:
    gap = channel_means(real_out) - channel_means(fake_out)
    print(f"{title:>8}: real minus fake, mean of each channel after D's BatchNorm: "
          f"{np.round(gap[:4], 3)} ... (largest |gap| {np.abs(gap).max():.3f})")
"""),
    md(r"""
## Training, written out

The tutorial's step with three changes: $D$ sees the real and the fake batch separately, its gradients
from both adding up in `grads` before the one optimizer step; Adam has $\beta_1 = 0.5$; and after every step
an **exponential moving average** of G's weights takes a small step towards them (the next section shows
why):

$$\bar\theta \leftarrow \delta\, \bar\theta + (1 - \delta)\, \theta_G .$$

`EMA(G, G_avg, decay)` keeps $\bar\theta$ in a twin network `G_avg`. Averaging weights does not average what
the layers *see*, though: batch norm's running statistics (the mean and variance it uses when sampling)
belong to the weights that produced them. So after each epoch `refresh_average` measures them afresh for
`G_avg`: it resets them and runs `G_avg` in training mode on a few batches, with `momentum = None` making
the running values the plain average over those batches. (`npgan.gan.GAN.refresh_average` does the same,
and puts back each layer's own momentum.)
""", r"""
## 训练:把循环完整写出来

和教程的训练步骤相比有三处变化:$D$ 分别看真实批次和伪造批次,两次的梯度在 `grads` 中累加之后,
优化器只走一步;Adam 的 $\beta_1 = 0.5$;每一步之后,生成器权重的**指数滑动平均**都朝当前权重挪一小步
(下一节会说明原因):

$$\bar\theta \leftarrow \delta\, \bar\theta + (1 - \delta)\, \theta_G .$$

`EMA(G, G_avg, decay)` 把 $\bar\theta$ 保存在一个孪生网络 `G_avg` 中。不过,对权重取平均并不等于对各层*看到的数据*取平均:
批归一化的滑动统计量(采样时使用的均值和方差)属于产生它们的那组权重。所以每个 epoch 结束后,
`refresh_average` 都为 `G_avg` 重新测量这些统计量:先把它们清零,再让 `G_avg` 在训练模式下跑几个批次,
`momentum = None` 使滑动统计量等于这些批次的简单平均。(`npgan.gan.GAN.refresh_average` 做的是同样的事,并恢复每一层原来的 momentum。)
"""),
    code(r"""
d_opt = Adam(D, lr=lr, beta1=beta1)   # moves only D's parameters
g_opt = Adam(G, lr=lr, beta1=beta1)   # moves only G's parameters
G_avg = generator(z_size, width)      # a twin of G ...
ema = EMA(G, G_avg, ema_decay)        # ... holding the average, which starts as a copy of G


def refresh_average(G_avg, batches=20):
    # Batch-norm statistics measured for the averaged weights themselves
    norms = [layer for layer in G_avg.layers if isinstance(layer, BatchNorm)]
    for norm in norms:
        norm.reset_running_stats()
        norm.momentum = None           # running values = the plain average over the batches below
    z_rng = np.random.default_rng([seed, 3])
    G_avg.train()
    for _ in range(batches):
        G_avg.forward(sample_z(z_rng, batch_size, z_size))
    G_avg.eval()                       # sampling uses the running statistics
    for norm in norms:
        norm.momentum = 0.1


def in_eval_mode(net, z):
    # net's images for z with batch norm's running statistics, as sampling uses them
    net.eval()
    images = net.forward(z).copy()
    net.train(net is G)                # G goes on training; the average stays in evaluation mode
    return images
"""),
    md(r"""
Each step: **1.** forward $G$; **2.** the D step, the real batch (target $1 - \text{smooth}$) then the fake
batch (target 0), each forward pass followed by its backward pass before the next forward overwrites the
layers' caches; **3.** the G step through the updated $D$, as in notebook 01; **4.** the average moves.
Each epoch ends by refreshing the average's statistics, printing the mean losses of the epoch's steps,
and keeping 16 samples of $G$ and of its average from the same fixed $z$.
""", r"""
每一步:**1.** 生成器前向传播;**2.** 训练辨别器,先是真实批次(目标 $1 - \text{smooth}$),再是伪造批次(目标 0),
每次前向传播之后紧跟它的反向传播,以免下一次前向传播覆盖各层的缓存;**3.** 像笔记本 01 那样,
穿过更新后的 $D$ 训练生成器;**4.** 平均权重挪一步。每个 epoch 结束时,重新测量平均权重的统计量,
打印这个 epoch 各步损失的平均值,并用同样的固定 $z$ 保存 $G$ 和它的平均各 16 张样本。
"""),
    code(r"""
data_rng = np.random.default_rng(seed + 1)
view_z = sample_z(data_rng, 16, z_size)     # the same 16 latent vectors every epoch
samples, samples_avg = [], []
steps_per_epoch = len(train_images) // batch_size
start = time.perf_counter()
epoch = 0

while epoch < epochs and (minutes is None or time.perf_counter() - start < 60 * minutes):
    order = data_rng.permutation(len(train_images))
    d_sum = g_sum = 0.0
    for ii in range(steps_per_epoch):
        real = to_unit_range(train_images[order[ii * batch_size:(ii + 1) * batch_size]])
        z = sample_z(data_rng, batch_size, z_size)

        # 1. Forward G
        fake = G.forward(z)

        # 2. D step: the real batch, then the fake batch, each through D on its own
        D.zero_grad()
        loss_real, grad_real = bce_with_logits(D.forward(real), 1 - smooth)
        D.backward(grad_real, input_grad=False)
        loss_fake, grad_fake = bce_with_logits(D.forward(fake), 0.0)
        D.backward(grad_fake, input_grad=False)          # adds to the real batch's gradients
        d_opt.step()

        # 3. G step: the fakes through the updated D, target 1; the gradient flows through D into G
        g_loss, grad = bce_with_logits(D.forward(fake), 1.0)
        G.zero_grad()
        G.backward(D.backward(grad, param_grads=False), input_grad=False)
        g_opt.step()

        # 4. The average of G's weights takes a step towards them
        ema.update()
        d_sum += loss_real + loss_fake
        g_sum += g_loss

    epoch += 1
    refresh_average(G_avg)
    print("Epoch {}/{}...".format(epoch, epochs),
          "Discriminator Loss: {:.4f}...".format(d_sum / steps_per_epoch),
          "Generator Loss: {:.4f}".format(g_sum / steps_per_epoch),
          "({:.1f} s)".format(time.perf_counter() - start))
    samples.append(in_eval_mode(G, view_z))
    samples_avg.append(in_eval_mode(G_avg, view_z))

seconds = time.perf_counter() - start
print(f"{epoch} epochs of {steps_per_epoch} steps in {seconds:.1f} s ({seconds / (epoch * steps_per_epoch):.3f} s per step)"
      + (f"; stopped: the {minutes}-minute budget is spent" if epoch < epochs else ""))
"""),
    md(r"""
## Why averaged weights look cleaner

A GAN does not settle: $D$ keeps finding new flaws and $G$ keeps moving to hide them, so G's weights circle
around a good solution, each step pulled this way or that by the $D$ of the moment. The average

$$\bar\theta_t = (1 - \delta) \sum_{k \le t} \delta^{\,t-k}\, \theta_k \quad (+\ \delta^t \theta_0)$$

remembers the last $1/(1 - \delta)$ steps or so (1,000 for $\delta = 0.999$, an epoch and a bit) and sits
near the middle of that circling: the step-to-step jitter cancels and what the steps agree on remains.
Averaged weights are not a generator any single step trained; no matter, only its pictures count. Here
are both, from the same $z$ (after the seconds of fast mode, both draw blobs). How much the average helps
depends on the model, the decay and the length of the run: the scores below measure it.
""", r"""
## 为什么平均权重画得更干净

GAN 不会停在某一点:$D$ 不断发现新的破绽,$G$ 不断移动去掩盖它们,所以生成器的权重围绕一个好的解打转,
每一步都被当时的 $D$ 拉向这边或那边。平均权重

$$\bar\theta_t = (1 - \delta) \sum_{k \le t} \delta^{\,t-k}\, \theta_k \quad (+\ \delta^t \theta_0)$$

大致记住最近的 $1/(1 - \delta)$ 步($\delta = 0.999$ 时为 1,000 步,略多于一个 epoch),位于这种打转的中心附近:
每一步的抖动相互抵消,各步一致的部分保留下来。平均出来的权重并不是任何一步训练出的生成器;这无关紧要,
我们只关心它画出的图。下面用同样的 $z$ 画出两者(快速模式只训练了几秒钟,两者画的都还是团块)。
平均能带来多大改进,取决于模型、衰减系数和训练的长短:下面的打分会测量它。
"""),
    code(r"""
fig, axes = plt.subplots(1, 2, figsize=(10, 5.3))
for ax, imgs, title in [(axes[0], samples[-1], f"G after epoch {epoch}"),
                        (axes[1], samples_avg[-1], f"the average of its weights (decay {ema_decay})")]:
    ax.imshow(image_grid(imgs, 4, 4), cmap="Greys_r", vmin=0, vmax=1)
    ax.set_title(title)
    ax.axis("off")
plt.show()

# The running statistics G gathered do not fit the averaged weights: re-estimated, they differ
own, borrowed = G_avg.buffers["1/running_var"], G.buffers["1/running_var"]
print(f"first BatchNorm's running variance, re-estimated for the average vs G's own: "
      f"{np.median(np.abs(borrowed / own - 1)):.0%} apart (median over channels)")
"""),
    md(r"""
## Saving the generator and drawing new digits

The averaged generator is the one to keep. `generator_arrays` stores its weights, its batch-norm
statistics and the description of its layers; `load_generator` rebuilds it, in evaluation mode, without
this notebook's code, and `npgan.sample.draw` draws from it as the command line does:
`python -m npgan.sample --checkpoint out/dcgan_generator.npz`.
""", r"""
## 保存生成器,写出新的数字

值得保存的是平均后的生成器。`generator_arrays` 保存它的权重、批归一化的统计量以及各层的描述;
`load_generator` 不需要这个笔记本的代码就能重建它(处于评估模式),`npgan.sample.draw` 像命令行那样从它采样:
`python -m npgan.sample --checkpoint out/dcgan_generator.npz`。
"""),
    code(r"""
path = OUT_DIR / "dcgan_generator.npz"
np.savez(path, **generator_arrays(G_avg, z_size, model="dcgan", epoch=epoch))
print(f"saved {path} ({path.stat().st_size / 1e3:.0f} kB)")

G_saved, meta = load_generator(path)
new_samples, _ = draw(G_saved, meta, 16, seed=2024)
sample_grid_figure(new_samples, title="New digits from the saved DCGAN")
"""),
    md(r"""
## How good are they?

`npgan.evaluate` scores samples with a reference classifier: FID (the distance between the statistics of
the classifier's features on the samples and on real test digits; lower is better), the smallest class's
share, and how often the classifier is confident. Its classifier, by default a small CNN (99.31% right on
MNIST's test digits), is trained once, about 75 s of CPU time at one thread, and cached beside the data (or in `~/.cache/npgan` when that folder is read-only). The full run
scores $G$ and its average on the same 2,000 latent vectors; fast mode skips it.
""", r"""
## 它们画得有多好?

`npgan.evaluate` 用一个参考分类器给样本打分:FID(分类器在样本上和在真实测试数字上提取的特征,其统计量之间的距离;
越低越好)、最小类别所占的比例,以及分类器有把握的样本比例。这个分类器默认是一个小型 CNN(在 MNIST 测试数字上的正确率为 99.31%),只训练一次(单线程约 75 秒 CPU 时间),
缓存在数据旁边(数据文件夹只读时缓存在 `~/.cache/npgan`)。完整运行用同样 2,000 个潜在向量为 $G$ 和它的平均打分;快速模式跳过这一步。
"""),
    code(r"""
if FAST:
    print("fast mode: not scored")
else:
    from npgan.evaluate import Evaluator
    evaluator = Evaluator("mnist", DATA_DIR, download=DOWNLOAD)
    score_z = sample_z(np.random.default_rng(4), 2000, z_size)
    for name, net in [("G", G), ("average", G_avg)]:
        figures = evaluator.score(in_eval_mode(net, score_z))
        print(f"{name:>8}: FID {figures['fid']:.1f}, smallest class {figures['min_share']:.1%}, "
              f"confident {figures['confident_share']:.1%}")
"""),
    md(r"""
## The full run

""" + FULL_EN + r"""

The command line trains the same model, resumably, and keeps the samples and the best generator:
`python -m npgan.train --model dcgan --loss ns --ema 0.999 --minutes 20 --eval-every 1 --out out/dcgan`, then
`python -m npgan.sample --checkpoint out/dcgan/generator.npz` and
`python -m npgan.evaluate --checkpoint out/dcgan/generator.npz`.
""", r"""
## 完整运行

""" + FULL_ZH + r"""

命令行可以训练同样的模型(随时可以中断后继续),并保存样本和最好的生成器:
`python -m npgan.train --model dcgan --loss ns --ema 0.999 --minutes 20 --eval-every 1 --out out/dcgan`,然后
`python -m npgan.sample --checkpoint out/dcgan/generator.npz` 和
`python -m npgan.evaluate --checkpoint out/dcgan/generator.npz`。
"""),
]
