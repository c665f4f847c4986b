"""Notebook 01: the tutorial's GAN on MNIST, step by step with npgan (English and Chinese)."""
from cells import code, md, setup_code

NB01 = [
    md(r"""
# A GAN that draws handwritten digits, in pure NumPy

![Digits drawn by the generator this notebook trains, after the tutorial's 100 epochs](../docs/figures/tutorial_samples.png)

*Where we are going: digits drawn by the generator this notebook trains, after the tutorial's 100 epochs.*

We will train a generative adversarial network (GAN) on MNIST and then use the trained generator to draw
new handwritten digits. This notebook follows the classic TensorFlow 1 GAN tutorial step by step, but every
piece of it (layers, loss, optimizer and every backward pass) is **npgan**'s own NumPy code, short enough
to read. Notebook `02_backprop_and_gradient_checks.ipynb` derives each of those gradients and proves it
numerically.

GANs were introduced in 2014 by Ian Goodfellow and others in Yoshua Bengio's lab, and quickly grew into
things like pix2pix (draw a sketch, get a picture) and CycleGAN (make horses look like zebras).
The idea is two networks that compete:

- the **generator** $G$ turns random noise $z$ into fake data and passes it to the discriminator;
- the **discriminator** $D$ sees real data and $G$'s fakes and must say which is which.

$D$ is trained to be right; $G$ is trained to fool $D$. As they train, $G$ learns to imitate the probability
distribution of the real data, here images of handwritten digits, so it can produce new ones that look real.

```
z (random, 100 numbers) ──► G ──► fake image (784 pixels) ──┐
                                                             ├──► D ──► logit ──► sigmoid = P(real)
real MNIST image (784 pixels) ───────────────────────────────┘
```

The latent vector $z$ is random; $G$ learns to map it to an image that $D$ takes for real. $D$'s output goes
through a sigmoid: 0 means fake, 1 means real. If all you want is new images, you can throw $D$ away after
training.

**Running it.** Install npgan from the repository (`pip install -e ".[notebooks]"`) and open this notebook in
Jupyter. MNIST is downloaded once into `../data`. Training takes 3 to 5 minutes on one laptop core
(the first recognisable digits appear after a minute or two; see *Hyperparameters* to shorten it). The environment variable
`NPGAN_FAST=1` turns on a quick run on 5,000 images for a few epochs, which is what the test suite does.
""", r"""
# 用纯 NumPy 训练一个会写数字的 GAN

![本笔记本训练的生成器在教程的 100 个 epoch 之后写出的数字](../docs/figures/tutorial_samples.png)

*我们的目标:本笔记本训练的生成器在教程的 100 个 epoch 之后写出的数字。*

我们将在 MNIST 数据集上训练一个生成对抗网络(GAN),然后用训练好的生成器写出新的手写数字。
这个笔记本一步一步地跟随经典的 TensorFlow 1 GAN 教程,但其中的每一部分(网络层、损失函数、优化器,
以及每一个反向传播)都是 **npgan** 自己用 NumPy 写的代码,短到可以逐行读完。
另一个笔记本 `02_backprop_and_gradient_checks.ipynb` 会推导这些梯度,并用数值方法逐一验证。

GAN 由 Ian Goodfellow 等人于 2014 年在 Yoshua Bengio 教授的实验室首次提出,此后人气爆棚,
出现了 pix2pix(你画一个草图,它生成一幅图像)、CycleGAN(让马看起来像斑马)等许多应用。
它的思想是让两个网络相互竞争:

- **生成器** $G$ 把随机噪声 $z$ 变成伪造的数据,交给辨别器;
- **辨别器** $D$ 既看真实数据,也看 $G$ 伪造的数据,要判断哪些是真的、哪些是假的。

$D$ 的训练目标是判断正确;$G$ 的训练目标是骗过 $D$。在相互对抗的训练中,$G$ 逐渐学会模仿真实数据的概率分布
(这里就是手写数字图像的分布),于是能生成看起来和真实数据一样的新图像。

```
z (随机, 100 个数) ──► G ──► 假图像 (784 个像素) ──┐
                                                   ├──► D ──► logit ──► sigmoid = P(真)
真实 MNIST 图像 (784 个像素) ──────────────────────┘
```

潜在向量 $z$ 是随机的;$G$ 学习如何把它映射成能让 $D$ 信以为真的图像。$D$ 的输出经过 sigmoid 函数:
0 表示假图像,1 表示真图像。如果你只想生成新图像,训练结束后就可以把 $D$ 丢掉。

**如何运行。** 在仓库根目录安装 npgan(`pip install -e ".[notebooks]"`),然后在 Jupyter 中打开本笔记本。
MNIST 会自动下载一次,保存在 `../data`。在笔记本电脑的一个 CPU 核上,完整训练需要 3 到 5 分钟
(一两分钟后就能看到第一批可辨认的数字;想缩短时间,请看“超参数”一节)。
设置环境变量 `NPGAN_FAST=1` 会改为快速模式:只用 5,000 张图像训练几个 epoch,测试套件就是这样运行的。
"""),
    setup_code(
        "One BLAS thread: these matrices are small, and a second thread slows down badly on a busy machine.",
        "One switch: NPGAN_FAST=1 trains briefly on 5,000 images (the test suite does this); unset = the real thing.",
        r"""
from npgan.data import load_mnist
from npgan.layers import Dense, LeakyReLU, Sequential, Tanh
from npgan.losses import bce_with_logits, sigmoid
from npgan.optim import Adam
from npgan.checkpoints import generator_arrays, load_generator
from npgan.gan import sample_z, to_unit_range
from npgan.plots import losses_figure, progress_figure, sample_grid_figure
"""),
    md(r"""
## Load MNIST

`load_mnist` reads the four MNIST files (downloading them first if they are missing) and returns the images
as `uint8` arrays of shape `(N, 28, 28)` and their labels. TensorFlow 1's `input_data.read_data_sets`, which
the tutorial used, kept the first 5,000 training images for validation and trained on the other 55,000:
we train on the same images, 5,000 to 59,999. They stay `uint8` (43 MB) and become floats one batch at a
time. The labels are not used at all: a GAN learns from the images alone.
""", r"""
## 加载 MNIST

`load_mnist` 读取 MNIST 的四个文件(缺少的话先下载),返回形状为 `(N, 28, 28)` 的 `uint8` 图像数组和它们的标签。
教程里用的 TensorFlow 1 的 `input_data.read_data_sets` 把训练集的前 5,000 张图像留作验证集,用其余 55,000 张训练:
我们也用同样的图像,即第 5,000 到 59,999 张。它们一直以 `uint8` 保存(43 MB),每次只把一个批次转换成浮点数。
标签完全用不到:GAN 只从图像本身学习。
"""),
    code(r"""
images, labels = load_mnist("train", data_dir=DATA_DIR, download=DOWNLOAD)
train_images = images[5000:]          # TF1's mnist.train: 55,000 images
if FAST:
    train_images = train_images[:5000]
print("all training images:", images.shape, images.dtype, "| we train on", len(train_images))
sample_grid_figure(to_unit_range(train_images[:16]), title="Real MNIST digits")
"""),
    md(r"""
## Model inputs

In TensorFlow 1 the tutorial first created placeholders, `inputs_real` and `inputs_z`, to be filled with data
when the graph runs. NumPy has no graph: an input is simply the array we pass to `forward`. There are two:

- **real images** for the discriminator: a batch of shape `(batch_size, 784)`, each 28×28 image flattened
  to one row. Pixels go from $[0, 255]$ to $[-1, 1]$ by $x \mapsto 2x/255 - 1$ (`to_unit_range`), which is
  the range of the generator's tanh output, so that real and fake images live on the same scale;
- **latent vectors** $z$ for the generator: shape `(batch_size, z_size)`, uniform on $[-1, 1]$ (`sample_z`).
""", r"""
## 模型输入

在 TensorFlow 1 中,教程首先创建了两个占位符 `inputs_real` 和 `inputs_z`,在运行计算图时再填入数据。
NumPy 没有计算图:输入就是我们传给 `forward` 的数组。输入有两个:

- 辨别器的**真实图像**:形状为 `(batch_size, 784)` 的一个批次,每张 28×28 的图像被展平成一行。
  像素值通过 $x \mapsto 2x/255 - 1$(`to_unit_range`)从 $[0, 255]$ 缩放到 $[-1, 1]$,
  这正是生成器 tanh 输出的范围,这样真图像和假图像的取值范围就一致了;
- 生成器的**潜在向量** $z$:形状为 `(batch_size, z_size)`,在 $[-1, 1]$ 上均匀分布(`sample_z`)。
"""),
    code(r"""
rng = np.random.default_rng(0)
input_real = to_unit_range(train_images[:100])   # (100, 784) float32 in [-1, 1]
input_z = sample_z(rng, 100, 100)                 # (100, 100) float32, Uniform(-1, 1)
print("input_real:", input_real.shape, input_real.dtype, "range", input_real.min(), "to", input_real.max())
print("input_z:   ", input_z.shape, input_z.dtype, "range", input_z.min().round(3), "to", input_z.max().round(3))
"""),
    md(r"""
## The generator

$z$ → Dense (128 units) → Leaky ReLU → Dense (784 units) → tanh → image.

**Dense** is a fully connected layer, $y = xW + b$: $x$ has one example per row, shape `(N, in)`,
$W$ has shape `(in, out)`. Like `tf.layers.dense`, it starts with Glorot-uniform $W$ and $b = 0$. It has no
activation of its own, so we add one.

**Leaky ReLU** is $f(x) = \max(\alpha x, x)$ with a small $\alpha$, here 0.01: positive inputs pass
unchanged, negative ones are multiplied by $\alpha$ (for $x < 0$, $\alpha x$ is the larger of the two).
Its derivative is

$$f'(x) = \begin{cases} 1 & x > 0 \\ \alpha & x < 0 \end{cases}$$

so the backward pass is `dx = dy` where $x > 0$ and `dx = alpha * dy` elsewhere. Why not a plain ReLU? A ReLU
whose input is negative has slope 0: no gradient reaches its weights, and a unit that is negative for every
input stops learning for good ("dies"). A GAN lives on gradients flowing *through* networks (the generator
learns only from the gradient the discriminator sends back), so both networks use the leaky version, which
always lets a little gradient through.

**tanh** squashes the output to $(-1, 1)$, the range we scaled the real images to:

$$\tanh x = \frac{e^x - e^{-x}}{e^x + e^{-x}}, \qquad \tanh'(x) = 1 - \tanh^2 x .$$

It is the sigmoid stretched to be centred on 0 ($\tanh x = 2\sigma(2x) - 1$). Its derivative needs only the
output $y = \tanh x$, so the layer keeps $y$ from the forward pass and its backward pass is
`dx = dy * (1 - y**2)`: 1 at $y = 0$, vanishing where a pixel saturates at $\pm 1$.

**No variable scopes.** The tutorial wrapped each network in `tf.variable_scope(..., reuse=...)` so that
building the discriminator a second time (for the fake images) reused the same weights. In npgan a network
is a Python object that owns its arrays: "reuse" simply means calling the same object again.
""", r"""
## 生成器

$z$ → Dense(128 个单元)→ Leaky ReLU → Dense(784 个单元)→ tanh → 图像。

**Dense** 是全连接层,$y = xW + b$:$x$ 每一行是一个样本,形状为 `(N, in)`;$W$ 的形状为 `(in, out)`。
和 `tf.layers.dense` 一样,$W$ 用 Glorot 均匀分布初始化,$b = 0$。它本身不带激活函数,所以我们要自己加一个。

**Leaky ReLU** 定义为 $f(x) = \max(\alpha x, x)$,其中 $\alpha$ 很小,这里取 0.01:正的输入原样通过,
负的输入乘以 $\alpha$(当 $x < 0$ 时,$\alpha x$ 是两者中较大的那个)。它的导数是

$$f'(x) = \begin{cases} 1 & x > 0 \\ \alpha & x < 0 \end{cases}$$

所以反向传播就是:$x > 0$ 处 `dx = dy`,其余位置 `dx = alpha * dy`。为什么不用普通的 ReLU?
ReLU 在负数端的斜率是 0:梯度传不到它的权重,如果某个单元对所有输入都是负的,它就永远停止学习(“死掉”)。
GAN 依靠梯度*穿过*网络来学习(生成器唯一的学习信号就是辨别器传回来的梯度),所以两个网络都使用 Leaky 版本,
让一点点梯度总能通过。

**tanh** 把输出压缩到 $(-1, 1)$,正是我们缩放真实图像的范围:

$$\tanh x = \frac{e^x - e^{-x}}{e^x + e^{-x}}, \qquad \tanh'(x) = 1 - \tanh^2 x .$$

它就是以 0 为中心拉伸后的 sigmoid($\tanh x = 2\sigma(2x) - 1$)。它的导数只需要输出 $y = \tanh x$,
所以这一层在前向传播时保存 $y$,反向传播为 `dx = dy * (1 - y**2)`:在 $y = 0$ 处为 1,
当像素饱和到 $\pm 1$ 时趋于 0。

**不需要 variable scope。** 教程用 `tf.variable_scope(..., reuse=...)` 包住每个网络,
这样第二次构建辨别器(用于假图像)时会重用同一组权重。在 npgan 中,网络就是一个持有自己数组的 Python 对象:
“重用”就是再调用一次同一个对象。
"""),
    code(r"""
def generator(z_size, out_dim, n_units=128, alpha=0.01, rng=None):
    # z (N, z_size) -> images (N, out_dim) in (-1, 1)
    return Sequential(
        Dense(z_size, n_units, rng=rng),    # hidden layer, linear
        LeakyReLU(alpha),                   # max(alpha * h, h)
        Dense(n_units, out_dim, rng=rng),   # logits
        Tanh(),                             # out = tanh(logits)
    )
"""),
    md(r"""
Here are both activations with their derivatives, taken from the layers' own `backward`: feeding the
upstream gradient $\partial L / \partial y = 1$ returns $\partial y / \partial x$ itself. (The plot uses
$\alpha = 0.1$ so that the leak is visible; the model uses 0.01.)
""", r"""
下面画出这两个激活函数以及它们的导数。导数直接取自各层自己的 `backward`:把上游梯度 $\partial L / \partial y = 1$
传进去,得到的就是 $\partial y / \partial x$。(为了看清负数端的斜率,图中用 $\alpha = 0.1$;模型里用的是 0.01。)
"""),
    code(r"""
x = np.linspace(-3, 3, 601).reshape(-1, 1)
fig, axes = plt.subplots(1, 2, figsize=(10, 3.2))
for ax, layer, name in [(axes[0], LeakyReLU(alpha=0.1), "Leaky ReLU, alpha = 0.1"), (axes[1], Tanh(), "tanh")]:
    y = layer.forward(x)
    dy_dx = layer.backward(np.ones_like(x))    # backward(dL/dy = 1) = dy/dx
    ax.plot(x, y, label="f(x)")
    ax.plot(x, dy_dx, "--", label="f'(x) from backward()")
    ax.axhline(0, color="grey", lw=0.5)
    ax.set_title(name)
    ax.legend()
plt.show()
"""),
    md(r"""
## The discriminator

The same kind of network: image → Dense (128) → Leaky ReLU → Dense (1). Its output is a **logit** $\ell$,
any real number; $\sigma(\ell) = 1 / (1 + e^{-\ell})$ turns it into the discriminator's probability that the
image is real (1) rather than fake (0). As in the tutorial the network returns the logit and the loss
takes the logit directly: computed that way it is exact even where $\sigma(\ell)$ would round to 0 or 1.
""", r"""
## 辨别器

辨别器基本上和生成器相同:图像 → Dense(128)→ Leaky ReLU → Dense(1)。它的输出是一个 **logit** $\ell$,
可以是任意实数;$\sigma(\ell) = 1 / (1 + e^{-\ell})$ 把它变成辨别器认为“这张图是真的(1)而不是假的(0)”的概率。
和教程一样,网络返回 logit,损失函数直接接收 logit:这样计算,即使 $\sigma(\ell)$ 会被舍入成 0 或 1,结果仍然精确。
"""),
    code(r"""
def discriminator(in_dim, n_units=128, alpha=0.01, rng=None):
    # images (N, in_dim) -> logits (N, 1); sigmoid(logits) = P(image is real)
    return Sequential(
        Dense(in_dim, n_units, rng=rng),    # hidden layer, linear
        LeakyReLU(alpha),                   # max(alpha * h, h)
        Dense(n_units, 1, rng=rng),         # logits
    )
"""),
    md(r"""
## Hyperparameters

The tutorial's values. A network with a nonlinear hidden layer can approximate any function (the universal
approximation theorem), which is why both networks have one hidden layer with the Leaky ReLU; `alpha` is its
leak. `smooth` is for label smoothing, explained with the losses below.

`epochs = 100` is the tutorial's run: 3 to 5 minutes on one laptop core (2 to 3 s per epoch).
The first recognisable digits (7s, 3s, 9s) appear after roughly 30 epochs; set `epochs = 30` for a run
of about a minute and a half, or train longer than 100 epochs for cleaner digits.
""", r"""
## 超参数

这些都是教程里的取值。带非线性隐藏层的神经网络可以逼近任意函数(通用近似定理),所以两个网络都有一个
使用 Leaky ReLU 的隐藏层;`alpha` 是它的渗漏系数。`smooth` 是标签平滑的参数,下面讲损失函数时再解释。

`epochs = 100` 与教程相同,在笔记本电脑的一个核上需要 3 到 5 分钟(每个 epoch 2 到 3 秒)。
大约 30 个 epoch 之后就能认出第一批数字(7、3、9 之类);把 `epochs` 设为 30 大约只需一分半钟;
想要更清晰的数字,也可以训练超过 100 个 epoch。
"""),
    code(r"""
input_size = 784       # 28 * 28: MNIST images, flattened
z_size = 100           # size of the latent vector fed to the generator
g_hidden_size = 128    # hidden units of the generator
d_hidden_size = 128    # hidden units of the discriminator
alpha = 0.01           # leak of the Leaky ReLU
smooth = 0.1           # label smoothing: real images get the target 1 - smooth = 0.9
learning_rate = 0.002
batch_size = 100
epochs = 6 if FAST else 100
seed = 0
"""),
    md(r"""
## Build the network

We create the two networks and send one batch through them. `G.forward(input_z)` gives the fake images
(the tutorial's `g_model`). The discriminator is applied twice, to the real batch and to the fakes, and it is
the same object `D` both times, with the same weights: that is all `reuse=True` was for.
(`npgan.models.make_generator` and `make_discriminator` build exactly these two networks.)
""", r"""
## 构建网络

我们创建这两个网络,并让一个批次的数据通过它们。`G.forward(input_z)` 给出假图像(教程中的 `g_model`)。
辨别器被使用了两次,一次用于真实批次,一次用于假图像,两次都是同一个对象 `D`、同一组权重:
这正是 `reuse=True` 的作用。(`npgan.models.make_generator` 和 `make_discriminator` 构建的正是这两个网络。)
"""),
    code(r"""
rng = np.random.default_rng(seed)
G = generator(z_size, input_size, n_units=g_hidden_size, alpha=alpha, rng=rng)
D = discriminator(input_size, n_units=d_hidden_size, alpha=alpha, rng=rng)

g_model = G.forward(input_z)                # fake images, (100, 784)
d_logits_real = D.forward(input_real)       # D on the real images ...
d_logits_fake = D.forward(g_model)          # ... and the same D on the fakes
d_model_real, d_model_fake = sigmoid(d_logits_real), sigmoid(d_logits_fake)

for name, net in [("generator", G), ("discriminator", D)]:
    shapes = ", ".join(f"{key} {p.shape}" for key, p in net.params.items())
    print(f"{name}: {net.flat_params.size:,} parameters: {shapes}")
print(f"untrained D: mean P(real) = {d_model_real.mean():.3f} on real images, {d_model_fake.mean():.3f} on fakes")
"""),
    md(r"""
## Discriminator and generator losses

Both networks train at the same time, each with its own loss. All three parts use the binary cross-entropy
of a logit $\ell$ against a target $t$ (TF1's `sigmoid_cross_entropy_with_logits`), averaged over the batch
(`tf.reduce_mean`):

$$\mathrm{BCE}(\ell, t) = -t \log \sigma(\ell) - (1 - t) \log\bigl(1 - \sigma(\ell)\bigr)
  = \max(\ell, 0) - \ell t + \log\bigl(1 + e^{-|\ell|}\bigr).$$

The second form, which `bce_with_logits` computes, is the same number rearranged so that nothing can overflow.

- **D on real images**: target $1 - \text{smooth} = 0.9$ rather than 1. This *label smoothing* helps the
  discriminator generalise: it is never pushed to be absolutely certain, so it keeps sending the generator
  useful gradients.
- **D on fake images**: target 0.
- `d_loss` is the sum of the two.
- **G**: the discriminator's logits on the fakes again, but with target 1. The generator wants the
  discriminator to call its fakes real.

**The gradient** that starts every backward pass: with $\frac{d}{d\ell}\log(1 + e^{-\ell})
= -\frac{e^{-\ell}}{1 + e^{-\ell}} = -(1 - \sigma(\ell))$ and the first form $\ell - \ell t + \log(1 + e^{-\ell})$,

$$\frac{\partial\, \mathrm{BCE}}{\partial \ell} = 1 - t - \bigl(1 - \sigma(\ell)\bigr) = \sigma(\ell) - t :$$

the predicted probability minus the target. The batch mean divides it by $N$. `bce_with_logits` returns the
loss and this gradient together.
""", r"""
## 辨别器和生成器的损失

两个网络同时训练,各自有自己的损失。三部分损失都使用 logit $\ell$ 与目标 $t$ 之间的二元交叉熵
(TF1 的 `sigmoid_cross_entropy_with_logits`),并对整个批次取平均(`tf.reduce_mean`):

$$\mathrm{BCE}(\ell, t) = -t \log \sigma(\ell) - (1 - t) \log\bigl(1 - \sigma(\ell)\bigr)
  = \max(\ell, 0) - \ell t + \log\bigl(1 + e^{-|\ell|}\bigr).$$

第二种写法就是 `bce_with_logits` 的计算方式:数值相同,只是重新整理了一下,保证不会溢出。

- **D 对真实图像**:目标是 $1 - \text{smooth} = 0.9$,而不是 1。这种*标签平滑*帮助辨别器更好地泛化:
  它永远不会被逼到绝对确定,因此能一直给生成器传回有用的梯度。
- **D 对假图像**:目标是 0。
- `d_loss` 是两者之和。
- **G**:同样使用辨别器对假图像的 logits,但目标是 1。生成器希望辨别器把它的假图像当成真的。

**梯度**,也就是每一次反向传播的起点:利用 $\frac{d}{d\ell}\log(1 + e^{-\ell})
= -\frac{e^{-\ell}}{1 + e^{-\ell}} = -(1 - \sigma(\ell))$ 和第一种写法 $\ell - \ell t + \log(1 + e^{-\ell})$,

$$\frac{\partial\, \mathrm{BCE}}{\partial \ell} = 1 - t - \bigl(1 - \sigma(\ell)\bigr) = \sigma(\ell) - t :$$

即预测的概率减去目标。对批次取平均会再除以 $N$。`bce_with_logits` 同时返回损失和这个梯度。
"""),
    code(r"""
d_loss_real, d_grad_real = bce_with_logits(d_logits_real, 1 - smooth)   # real images, target 0.9
d_loss_fake, d_grad_fake = bce_with_logits(d_logits_fake, 0.0)          # fake images, target 0
d_loss = d_loss_real + d_loss_fake
g_loss, g_grad = bce_with_logits(d_logits_fake, 1.0)                    # G wants "real" for its fakes
print(f"untrained: d_loss = {d_loss:.4f}, g_loss = {g_loss:.4f}")

# The gradient is the formula above: (sigmoid(logit) - target) / N
print("dBCE/dlogit == (sigmoid - t) / N:", np.allclose(d_grad_real, (sigmoid(d_logits_real) - 0.9) / len(d_logits_real)))
"""),
    md(r"""
## Optimizers

Two Adam optimizers, one per network. Each one moves only the parameters of the network it was given,
which is what the tutorial's `var_list=d_vars` / `var_list=g_vars` did by filtering variable names. For a
parameter $p$ with gradient $g$, at step $t$:

$$m \leftarrow \beta_1 m + (1 - \beta_1)\, g, \qquad v \leftarrow \beta_2 v + (1 - \beta_2)\, g^2, \qquad
p \leftarrow p - \eta\, \frac{\sqrt{1 - \beta_2^t}}{1 - \beta_1^t}\, \frac{m}{\sqrt{v} + \epsilon}$$

a running mean of the gradients (momentum) divided by a running scale of their size, with a correction for
$m$ and $v$ starting at 0. npgan's layers **add** their gradients into `grads`, so each step begins with
`zero_grad()`, which TensorFlow did for you behind the scenes.
""", r"""
## 优化器

两个 Adam 优化器,每个网络一个。每个优化器只更新交给它的那个网络的参数,这正是教程里通过变量名筛选出
`var_list=d_vars` / `var_list=g_vars` 所做的事。对梯度为 $g$ 的参数 $p$,在第 $t$ 步:

$$m \leftarrow \beta_1 m + (1 - \beta_1)\, g, \qquad v \leftarrow \beta_2 v + (1 - \beta_2)\, g^2, \qquad
p \leftarrow p - \eta\, \frac{\sqrt{1 - \beta_2^t}}{1 - \beta_1^t}\, \frac{m}{\sqrt{v} + \epsilon}$$

也就是用梯度的滑动平均(动量)除以梯度大小的滑动尺度,并修正 $m$、$v$ 从 0 开始带来的偏差。
npgan 的网络层会把梯度**累加**到 `grads` 中,所以每一步都要先调用 `zero_grad()`;在 TensorFlow 中这一步是在幕后替你完成的。
"""),
    code(r"""
d_opt = Adam(D, lr=learning_rate)   # moves only D's parameters (var_list=d_vars)
g_opt = Adam(G, lr=learning_rate)   # moves only G's parameters (var_list=g_vars)
"""),
    md(r"""
## Training

Each step takes one batch of real images (shuffled every epoch, like `mnist.train.next_batch`) and one
batch of noise $z$, then:

1. **Forward G**: `fake = G.forward(batch_z)`.
2. **Discriminator step**: the real and the fake images go through $D$ stacked as one batch of 200 rows ($D$
   treats every row on its own, so this equals two forward passes, only faster). The loss gradients
   $(\sigma(\ell) - 0.9)/N$ and $(\sigma(\ell) - 0)/N$ go back through $D$: `zero_grad`, `backward`, `step`.
   `input_grad=False` skips the gradient with respect to the images, which nobody needs here.
3. **Generator step**: the fakes go through the updated $D$ with target 1. `D.backward(..., param_grads=False)`
   returns the gradient with respect to the fake images. $D$ is only a path for the gradient in this step,
   so its weights get no gradient and do not move. `G.backward` carries the gradient on into $G$'s weights,
   and `g_opt.step()` moves them. $G$ has not changed since step 1, so its forward pass from step 1 still
   serves. In one line, by the chain rule:

$$\frac{\partial L_G}{\partial \theta_G} = \frac{\partial L_G}{\partial \ell} \cdot
\frac{\partial \ell}{\partial x_\text{fake}} \cdot \frac{\partial x_\text{fake}}{\partial \theta_G},
\qquad \frac{\partial L_G}{\partial \ell} = \frac{\sigma(\ell) - 1}{N}.$$

At the end of every epoch we print both losses on the last batch, as the tutorial did, and keep 16
generated images. We draw those from the same 16 latent vectors every epoch, so that the progress grid
below shows the same samples improving.
""", r"""
## 训练模型

每一步取一批真实图像(每个 epoch 重新打乱,就像 `mnist.train.next_batch`)和一批噪声 $z$,然后:

1. **生成器前向传播**:`fake = G.forward(batch_z)`。
2. **训练辨别器**:把真实图像和假图像叠成一个 200 行的批次送入 $D$($D$ 对每一行独立计算,
   所以这和两次前向传播完全等价,只是更快)。损失的梯度 $(\sigma(\ell) - 0.9)/N$ 和 $(\sigma(\ell) - 0)/N$
   反向穿过 $D$:`zero_grad`、`backward`、`step`。`input_grad=False` 跳过对图像的梯度,这里没有人需要它。
3. **训练生成器**:假图像以目标 1 通过更新后的 $D$。`D.backward(..., param_grads=False)` 返回对假图像的梯度。
   在这一步里 $D$ 只是梯度经过的通道,它的权重不会得到梯度,也不会改变。`G.backward` 把梯度继续传进 $G$ 的权重,
   `g_opt.step()` 更新它们。从第 1 步到现在 $G$ 没有变化,所以第 1 步的前向结果仍然可以直接使用。
   用链式法则写成一行:

$$\frac{\partial L_G}{\partial \theta_G} = \frac{\partial L_G}{\partial \ell} \cdot
\frac{\partial \ell}{\partial x_\text{fake}} \cdot \frac{\partial x_\text{fake}}{\partial \theta_G},
\qquad \frac{\partial L_G}{\partial \ell} = \frac{\sigma(\ell) - 1}{N}.$$

和教程一样,每个 epoch 结束时打印最后一个批次上的两个损失,并保存 16 张生成的图像。
这 16 张图像每个 epoch 都来自同样的 16 个潜在向量,这样下面的进度图展示的就是同一批样本逐渐变好的过程。
"""),
    code(r"""
samples = []   # 16 generated images per epoch
losses = []    # (d_loss, g_loss) at the end of each epoch
data_rng = np.random.default_rng(seed + 1)
view_z = sample_z(data_rng, 16, z_size)   # the same 16 latent vectors at every epoch
steps_per_epoch = len(train_images) // batch_size
start = time.perf_counter()

for e in range(epochs):
    order = data_rng.permutation(len(train_images))   # shuffle every epoch
    for ii in range(steps_per_epoch):
        # Real images for D: uint8 (100, 28, 28) -> float32 (100, 784) in [-1, 1]
        batch_images = to_unit_range(train_images[order[ii * batch_size:(ii + 1) * batch_size]])
        # Random noise for G
        batch_z = sample_z(data_rng, batch_size, z_size)

        # 1. Forward G: fake images
        fake = G.forward(batch_z)

        # 2. D step: real (target 0.9) and fake (target 0) through D as one batch
        logits = D.forward(np.concatenate([batch_images, fake]))
        d_loss_real, d_grad_real = bce_with_logits(logits[:batch_size], 1 - smooth)
        d_loss_fake, d_grad_fake = bce_with_logits(logits[batch_size:], 0.0)
        D.zero_grad()
        D.backward(np.concatenate([d_grad_real, d_grad_fake]), input_grad=False)
        d_opt.step()

        # 3. G step: the fakes through the updated D, target 1; the gradient flows through D into G
        g_loss, g_grad = bce_with_logits(D.forward(fake), 1.0)
        d_fake_images = D.backward(g_grad, param_grads=False)   # dL/d(fake images); D's weights untouched
        G.zero_grad()
        G.backward(d_fake_images, input_grad=False)
        g_opt.step()

    # At the end of each epoch, the losses on the last batch (nothing is updated here)
    d_logits_fake = D.forward(G.forward(batch_z))
    train_loss_d = bce_with_logits(D.forward(batch_images), 1 - smooth)[0] + bce_with_logits(d_logits_fake, 0.0)[0]
    train_loss_g = bce_with_logits(d_logits_fake, 1.0)[0]
    print("Epoch {}/{}...".format(e + 1, epochs),
          "Discriminator Loss: {:.4f}...".format(train_loss_d),
          "Generator Loss: {:.4f}".format(train_loss_g),
          "({:.1f} s)".format(time.perf_counter() - start))
    losses.append((train_loss_d, train_loss_g))
    # Sample from the generator as we train, to look at afterwards
    samples.append(G.forward(view_z).copy())

print(f"{epochs} epochs of {steps_per_epoch} steps in {time.perf_counter() - start:.1f} s")
"""),
    md(r"""
That loop is all of GAN training. npgan packages the very same step as `npgan.gan.GAN.train_step(real, z)`,
and `python -m npgan.train` runs the tutorial's whole training from the command line, writing the generator,
a resumable checkpoint, the losses and the figures below into an output folder.
""", r"""
上面这个循环就是 GAN 训练的全部内容。npgan 把完全相同的一步封装成了 `npgan.gan.GAN.train_step(real, z)`;
`python -m npgan.train` 则在命令行里运行教程的完整训练,把生成器、可以继续训练的检查点、损失以及下面这些图都写到一个输出文件夹中。
"""),
    md(r"""
## Training losses

The losses at the end of each epoch. Unlike in ordinary training, neither loss heads for zero: the two
networks play against each other, so after a quick start the curves settle where neither side wins
outright and then wobble around that balance.
""", r"""
## 训练损失

每个 epoch 结束时的损失。和普通的训练不同,两个损失都不会一直降到 0:两个网络在相互对抗,
所以在开始的快速变化之后,曲线会稳定在双方都无法彻底获胜的位置,并在这个平衡点附近波动。
"""),
    code(r"""
losses = np.array(losses)
losses_figure(losses[:, 0], losses[:, 1])
"""),
    md(r"""
## Generator samples from training

`sample_grid_figure` is the tutorial's `view_samples`: it draws images as a 4×4 grid. Here are the samples
from the last epoch. Many are clear digits; others are still blurry, odd or speckled with noise, much like the
tutorial's own result after 100 epochs. Training longer cleans these up.
""", r"""
## 训练过程中生成器的样本

`sample_grid_figure` 就是教程里的 `view_samples`:把图像画成 4×4 的网格。下面是最后一个 epoch 的样本。
不少已经是清晰的数字,另一些还比较模糊、奇怪或带有噪点,这和教程训练 100 个 epoch 后的结果差不多。
训练更久的话,这些问题会逐渐消失。
"""),
    code(r"""
sample_grid_figure(samples[-1], title=f"Epoch {len(samples)}")
"""),
    md(r"""
And how the generator got there: each row is one epoch (evenly spaced from the first to the last), each
column one of the fixed latent vectors. At first everything is grey noise; then the generator learns to
darken the background, then blurry digit shapes appear, and they sharpen.
""", r"""
下面展示生成器的进步过程:每一行是一个 epoch(从第一个到最后一个均匀选取),每一列对应一个固定的潜在向量。
一开始所有图像都是一团灰色的噪声;然后生成器学会把背景变黑,接着出现模糊的数字形状,最后越来越清晰。
"""),
    code(r"""
progress_figure(samples, rows=10, cols=6)
"""),
    md(r"""
## Sampling from the generator

Now that the generator is trained, we save it and use it to draw new digits. `generator_arrays` gives its
parameters by name (`"0/W"`, `"0/b"`, ...) plus a description of its layers, and `np.savez` writes them to
one `.npz` file with no pickle involved. `load_generator` rebuilds the network from that file; new latent
vectors give new digits. The command line does the same:
`python -m npgan.sample --checkpoint out/generator.npz --out digits.png`.
""", r"""
## 从生成器采样

生成器训练好了,我们把它保存下来,再用它写出新的数字。`generator_arrays` 按名字(`"0/W"`、`"0/b"`……)
给出它的参数,以及对各层的描述;`np.savez` 把它们写进一个 `.npz` 文件,完全不用 pickle。
`load_generator` 从这个文件重建网络;放入新的潜在向量,就会得到新的数字。
命令行也可以做同样的事:`python -m npgan.sample --checkpoint out/generator.npz --out digits.png`。
"""),
    code(r"""
path = OUT_DIR / "generator.npz"
np.savez(path, **generator_arrays(G, z_size))
print(f"saved {path} ({path.stat().st_size / 1e3:.0f} kB)")

G_saved, meta = load_generator(path)
new_z = sample_z(np.random.default_rng(2024), 16, meta["z_size"])
gen_samples = G_saved.forward(new_z)
sample_grid_figure(gen_samples, title="New digits from the saved generator")
"""),
]
