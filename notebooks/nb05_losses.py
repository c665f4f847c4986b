"""Notebook 05: beyond the BCE loss: the generator's gradient, what each loss asks of D, the Wasserstein
critic and its Lipschitz constraint, the gradient penalty's double backprop by hand, spectral norm's power
iteration (English and Chinese)."""
from cells import code, md, setup_code

NB05 = [
    md(r"""
# Beyond the BCE loss: losses and Lipschitz critics

![G's gradient under the original minimax loss and under the non-saturating loss, as curves of D(G(z))](../docs/figures/generator_gradients.png)

*Where we are going: the same game written two ways gives the generator very different gradients.*

Notebooks 01 to 04 all play the tutorial's game: $D$ is a classifier trained with binary cross-entropy,
and $G$ tries to make it say "real". That game is famously hard to train, and the field's fixes are the
next lesson of every GAN course. This notebook works through them with the objectives of `npgan.losses`
and small experiments that run in seconds:

1. why the original paper's generator loss **saturates**, and the non-saturating loss does not;
2. what each loss (BCE, least squares, hinge, Wasserstein) **asks of $D$**;
3. the **Wasserstein critic**, and why it must be 1-Lipschitz;
4. the **gradient penalty** (WGAN-GP, R1): its gradient is the derivative of a derivative, which
   frameworks get from `create_graph=True`. Here it is derived by hand for a two-layer critic, written in
   NumPy and checked by finite differences;
5. the penalty at work on a critic between two clouds of points;
6. **spectral norm**'s power iteration.

**Running it.** A few seconds; `NPGAN_FAST=1` (the test suite) trains the critics of section 5 for fewer steps.
""", r"""
# 超越 BCE 损失:各种损失与 Lipschitz 判别器

![原始 minimax 损失与非饱和损失下 G 的梯度,作为 D(G(z)) 的函数](../docs/figures/generator_gradients.png)

*我们的目标:同一个博弈的两种写法,给生成器的梯度大不相同。*

笔记本 01 到 04 玩的都是教程里的博弈:$D$ 是一个用二元交叉熵训练的分类器,$G$ 想让它说“真”。
这个博弈出了名地难训练,而学界的各种修正正是每门 GAN 课程的下一课。本笔记本用 `npgan.losses` 中的目标函数
和几个几秒钟就能跑完的小实验,逐一讲解:

1. 为什么原始论文的生成器损失会**饱和**,而非饱和损失不会;
2. 每种损失(BCE、最小二乘、hinge、Wasserstein)**对 $D$ 提出了什么要求**;
3. **Wasserstein 判别器**(critic),以及它为什么必须是 1-Lipschitz 的;
4. **梯度惩罚**(WGAN-GP、R1):它的梯度是导数的导数,深度学习框架靠 `create_graph=True` 得到它。
   这里对一个两层的判别器手工推导,用 NumPy 写出来,并用有限差分检验;
5. 梯度惩罚在两团点之间训练判别器时的效果;
6. **谱归一化**(spectral norm)的幂迭代。

**如何运行。** 只需几秒钟;设置 `NPGAN_FAST=1`(测试套件就是这样运行的)时,第 5 节的判别器训练步数更少。
"""),
    setup_code(
        "One BLAS thread: these small products gain nothing from two.",
        "NPGAN_FAST=1 trains section 5's critics for fewer steps (the test suite does this).",
        r"""
from npgan.gradcheck import numerical_gradient, relative_error
from npgan.layers import Dense, LeakyReLU, Sequential
from npgan.losses import objective, sigmoid
from npgan.optim import Adam
from npgan.penalties import input_gradient_penalty, random_interpolates
"""),
    md(r"""
## 1. The generator's gradient: saturating and non-saturating

$D$ outputs a logit $x$; its belief that an image is real is $D = \sigma(x)$. The original paper (Goodfellow
et al., 2014) lets $G$ minimise what $D$ maximises on fakes, $\log(1 - D(G(z)))$. Its derivative with
respect to the logit is

$$\frac{d}{dx} \log(1 - \sigma(x)) = -\sigma(x) = -D(G(z)).$$

Early in training $D$ easily rejects the fakes, $D(G(z)) \approx 0$, so $G$'s gradient is about 0 exactly
when $G$ has the most to learn: the loss **saturates**. The same paper's fix, used by the tutorial and
called *non-saturating*, has $G$ maximise $\log D(G(z))$ instead, i.e. minimise $-\log \sigma(x)$:

$$\frac{d}{dx} \left(-\log \sigma(x)\right) = \sigma(x) - 1 = -(1 - D(G(z))),$$

largest where $D$ rejects the fakes. Both losses have their optimum at the same place ($D(G(z))$ as high
as possible); only the strength of the push differs. `npgan.losses` has both (`--loss minimax`, `--loss ns`):
""", r"""
## 1. 生成器的梯度:饱和与非饱和

$D$ 输出一个 logit $x$;它认为一张图像是真的信念为 $D = \sigma(x)$。原始论文(Goodfellow 等,2014)让 $G$
最小化 $D$ 在假图像上最大化的那一项 $\log(1 - D(G(z)))$。它对 logit 的导数是

$$\frac{d}{dx} \log(1 - \sigma(x)) = -\sigma(x) = -D(G(z)).$$

训练初期 $D$ 很容易就能识破假图像,$D(G(z)) \approx 0$,于是恰恰在 $G$ 最需要学习的时候,它的梯度几乎为 0:
损失**饱和**了。同一篇论文给出的修正(教程用的就是它,称为*非饱和*损失)改为让 $G$ 最大化 $\log D(G(z))$,
即最小化 $-\log \sigma(x)$:

$$\frac{d}{dx} \left(-\log \sigma(x)\right) = \sigma(x) - 1 = -(1 - D(G(z))),$$

在 $D$ 识破假图像的地方最大。两种损失的最优点相同($D(G(z))$ 越高越好),不同的只是推动的力度。
`npgan.losses` 两者都有(`--loss minimax`、`--loss ns`):
"""),
    code(r"""
logits = np.linspace(-7, 7, 281)
D_of_fake = sigmoid(logits)                       # D(G(z)): D's belief that each fake is real
per_sample = {}
for name in ("minimax", "ns"):
    _, grad = objective(name).g(logits)           # G's loss is a mean: its gradient carries 1/N
    per_sample[name] = grad * logits.size
print("minimax: dL/dx == -D(G(z)):", np.allclose(per_sample["minimax"], -D_of_fake))
print("non-saturating: dL/dx == D(G(z)) - 1:", np.allclose(per_sample["ns"], D_of_fake - 1))
early = np.argmin(np.abs(D_of_fake - 0.01))
print(f"where D(G(z)) = {D_of_fake[early]:.3f}: minimax gradient {per_sample['minimax'][early]:+.4f}, "
      f"non-saturating {per_sample['ns'][early]:+.4f}")

fig, ax = plt.subplots(figsize=(6, 3.4))
ax.plot(D_of_fake, np.abs(per_sample["minimax"]), label="minimax: log(1 - D(G(z)))")
ax.plot(D_of_fake, np.abs(per_sample["ns"]), label="non-saturating: -log D(G(z))")
ax.set_xlabel("D(G(z))")
ax.set_ylabel("|dL_G / d logit| per sample")
ax.legend()
plt.show()
"""),
    md(r"""
## 2. What each loss asks of D

Each objective is a pair: $D$'s loss, a term on real data plus a term on fakes, and $G$'s loss. Written on
$D$'s raw output $x$ (a logit, or a critic's unbounded score):

| loss | $D$ on a real example | $D$ on a fake | $G$ |
| --- | --- | --- | --- |
| `ns` (BCE) | $-\log \sigma(x)$ | $-\log(1 - \sigma(x))$ | $-\log \sigma(x)$ |
| `lsgan` (Mao et al. 2017) | $\frac12 (x - 1)^2$ | $\frac12 x^2$ | $\frac12 (x - 1)^2$ |
| `hinge` (SN-GAN, BigGAN) | $\max(0, 1 - x)$ | $\max(0, 1 + x)$ | $-x$ |
| `wgan` (Arjovsky et al. 2017) | $-x$ | $x$ | $-x$ |

They differ in what happens once $D$ is right. BCE keeps pushing a real example's logit up, ever more
gently; least squares pulls it *back* to its target 1 (a fake far on the real side still gets a gradient);
the hinge stops at the margin (an example beyond it contributes nothing); the Wasserstein critic pushes with
the same force forever, so without a constraint its scores grow without bound:
""", r"""
## 2. 每种损失对 D 的要求

每个目标函数都是一对:$D$ 的损失(真实数据上的一项加假图像上的一项)和 $G$ 的损失。写成 $D$ 的原始输出 $x$
(一个 logit,或者 critic 的无界分数)的函数:

| 损失 | $D$ 在真实样本上 | $D$ 在假样本上 | $G$ |
| --- | --- | --- | --- |
| `ns`(BCE) | $-\log \sigma(x)$ | $-\log(1 - \sigma(x))$ | $-\log \sigma(x)$ |
| `lsgan`(Mao 等,2017) | $\frac12 (x - 1)^2$ | $\frac12 x^2$ | $\frac12 (x - 1)^2$ |
| `hinge`(SN-GAN、BigGAN) | $\max(0, 1 - x)$ | $\max(0, 1 + x)$ | $-x$ |
| `wgan`(Arjovsky 等,2017) | $-x$ | $x$ | $-x$ |

它们的区别在于 $D$ 判断正确之后会发生什么。BCE 会继续把真实样本的 logit 往上推,只是越来越轻;
最小二乘会把它*拉回*目标值 1(一个远在“真”那一侧的假样本仍然有梯度);hinge 在间隔处停下
(超出间隔的样本不再贡献任何梯度);Wasserstein critic 则永远以同样的力度推动,
所以没有约束的话,它的分数会无限增长:
"""),
    code(r"""
x = np.linspace(-4, 4, 161)
fig, axes = plt.subplots(1, 2, figsize=(10, 3.4), sharey=True)
for name in ("ns", "lsgan", "hinge", "wgan"):
    terms = objective(name)
    real = [terms.d_real(np.array([value]))[0] for value in x]   # one example at a time: its own loss
    fake = [terms.d_fake(np.array([value]))[0] for value in x]
    axes[0].plot(x, real, label=name)
    axes[1].plot(x, fake, label=name)
axes[0].set_title("D's loss on a real example")
axes[1].set_title("D's loss on a fake")
for ax in axes:
    ax.set_xlabel("D's raw output (logit or score)")
    ax.set_ylim(-4.5, 6)
    ax.axhline(0, color="k", linewidth=0.5)
axes[0].legend()
plt.show()
print("D's gradient on a real example it already scores 3 (far on the real side):")
for name in ("ns", "lsgan", "hinge", "wgan"):
    print(f"  {name:7s} {objective(name).d_real(np.array([3.0]))[1][0] + 0.0:+.3f}")
"""),
    md(r"""
## 3. The Wasserstein critic, and why it must be 1-Lipschitz

The Wasserstein GAN replaces the classifier by a **critic** $f$ that scores images, and $D$'s objective by

$$\max_f \; \mathbb{E}_{x \sim \text{real}}\, f(x) - \mathbb{E}_{z}\, f(G(z)).$$

By the Kantorovich–Rubinstein duality, the maximum over all **1-Lipschitz** $f$ (those with
$|f(a) - f(b)| \le \|a - b\|$, i.e. gradient norm at most 1) is the *earth mover's distance* $W_1$ between
the two distributions: the least total distance mass must travel to turn one into the other. Unlike the
Jensen–Shannon divergence behind BCE, it shrinks smoothly as $G$'s distribution moves towards the data,
even when the two do not overlap, so the critic gives $G$ a useful gradient everywhere.

Without the constraint the maximum is infinite: scale $f$ by 10 and the objective grows tenfold. The
smallest example: real numbers from $N(0, 1)$, fakes from $N(3, 1)$, and a linear critic $f(x) = w x + b$,
whose objective is $w\,(\bar x_\text{real} - \bar x_\text{fake})$. Unconstrained, $w$ grows forever; with
$|w| \le 1$ (for a linear $f$, exactly 1-Lipschitz; WGAN enforces it by clipping every weight, `--clip`), the
maximum is $|\bar x_\text{real} - \bar x_\text{fake}|$: the estimate of $W_1$, which for two distributions
that are shifts of each other is the distance between their means (3 here):
""", r"""
## 3. Wasserstein critic,以及它为什么必须是 1-Lipschitz 的

Wasserstein GAN 用一个给图像打分的 **critic** $f$ 代替分类器,并把 $D$ 的目标换成

$$\max_f \; \mathbb{E}_{x \sim \text{real}}\, f(x) - \mathbb{E}_{z}\, f(G(z)).$$

根据 Kantorovich–Rubinstein 对偶,在所有 **1-Lipschitz** 的 $f$(满足 $|f(a) - f(b)| \le \|a - b\|$,
即梯度范数不超过 1)上取最大值,得到的正是两个分布之间的*推土机距离*(earth mover's distance)$W_1$:
把一个分布变成另一个分布时,质量需要移动的最小总距离。与 BCE 背后的 Jensen–Shannon 散度不同,
即使两个分布没有重叠,它也会随着 $G$ 的分布向数据靠近而平滑地减小,所以 critic 在任何地方都能给 $G$ 有用的梯度。

没有这个约束,最大值就是无穷大:把 $f$ 放大 10 倍,目标也增大 10 倍。最小的例子:真实数据取自 $N(0, 1)$,
假数据取自 $N(3, 1)$,critic 是线性的 $f(x) = w x + b$,其目标为 $w\,(\bar x_\text{real} - \bar x_\text{fake})$。
不加约束时 $w$ 会一直增长;限制 $|w| \le 1$ 时(对线性的 $f$ 这恰好就是 1-Lipschitz;WGAN 通过裁剪每个权重来保证,
即 `--clip`),最大值为 $|\bar x_\text{real} - \bar x_\text{fake}|$:这就是 $W_1$ 的估计值;对两个互为平移的分布来说,
$W_1$ 正是它们均值之间的距离(这里为 3):
"""),
    code(r"""
rng = np.random.default_rng(0)
real_1d = rng.normal(0.0, 1.0, (512, 1))
fake_1d = rng.normal(3.0, 1.0, (512, 1))
wgan = objective("wgan")


def train_linear_critic(clip, steps=200):
    # A one-weight critic f(x) = w x + b trained on the Wasserstein objective; returns its estimate per step.
    critic = Sequential(Dense(1, 1, rng=1, dtype=np.float64))
    opt = Adam(critic, lr=0.05)
    estimates = []
    for _ in range(steps):
        critic.zero_grad()
        scores = critic.forward(np.concatenate([real_1d, fake_1d]))
        loss, (d_real, d_fake) = wgan.d_loss(scores[:512], scores[512:])
        critic.backward(np.concatenate([d_real, d_fake]))
        opt.step()
        if clip:   # WGAN's weight clipping, as --clip does after each D step
            np.clip(critic.flat_params, -clip, clip, out=critic.flat_params)
        estimates.append(-loss)                   # mean f(real) - mean f(fake)
    return estimates


free, clipped = train_linear_critic(None), train_linear_critic(1.0)
distance = abs(real_1d.mean() - fake_1d.mean())
print(f"distance between the samples' means: {distance:.3f} (the distributions': 3)")
print(f"unconstrained critic after 200 steps: {free[-1]:.2f} (and growing)")
print(f"clipped critic, |w| <= 1, after 200 steps: {clipped[-1]:.3f}")
print("the clipped critic's estimate is that distance:", abs(clipped[-1] - distance) < 1e-6)

fig, ax = plt.subplots(figsize=(6, 3.2))
ax.plot(free, label="no constraint")
ax.plot(clipped, label="|w| <= 1 (1-Lipschitz)")
ax.axhline(distance, color="k", linestyle="--", linewidth=0.8)
ax.set_xlabel("critic step")
ax.set_ylabel("mean f(real) - mean f(fake)")
ax.legend()
plt.show()
"""),
    md(r"""
## 4. The gradient penalty, by hand

Clipping is a blunt way to keep a deep critic Lipschitz (it limits each weight, not the function's slope,
and trains slowly). WGAN-GP (Gulrajani et al., 2017) instead *asks* for slope 1 where it matters, adding
to the critic's loss

$$\lambda\; \mathbb{E}_{\hat x} \left(\|\nabla_{\hat x} f(\hat x)\|_2 - 1\right)^2, \qquad \hat x = t\,x_\text{real} + (1 - t)\,x_\text{fake},\;\; t \sim U[0, 1],$$

on random points between real and fake images (the optimal critic has slope 1 along those lines), with
$\lambda = 10$. R1 (Mescheder et al., 2018) penalises $\frac{\gamma}{2}\|\nabla_x f(x)\|^2$ on real images:
the same function with center 0. The norm is over *all* of an example's values (the whole image).

Training needs the penalty's gradient with respect to the critic's weights: the derivative of a
derivative. The trick is to see that **the input gradient is itself a network**: the backward pass. For a
two-layer critic $f(x) = \mathrm{lrelu}(x W_1 + b_1) W_2 + b_2$ (rows $x$ of size $D$, $W_1$ of shape $D \times H$,
$W_2$ of shape $H \times 1$), forward $a = x W_1 + b_1$, $h = \mathrm{lrelu}(a)$, and the backward pass
from $dy = 1$:

$$dh = \mathbf 1\, W_2^\top, \qquad da = s \odot dh \;\;(s = \mathrm{lrelu}'(a) \in \{1, \alpha\}), \qquad g = da\, W_1^\top.$$

Row $n$ of $g$ is $\nabla_x f(x_n)$. With $P = \frac1N \sum_n (\|g_n\| - c)^2$, run back through those three
lines, *first line last*:

$$v = \frac{\partial P}{\partial g} = \frac{2}{N}\,\frac{\|g_n\| - c}{\|g_n\|}\, g_n, \qquad
\frac{\partial P}{\partial W_1} = v^\top da, \qquad v_1 = \frac{\partial P}{\partial (da)} = v\, W_1,$$

$$v_2 = \frac{\partial P}{\partial (dh)} = s \odot v_1, \qquad \frac{\partial P}{\partial W_2} = v_2^\top \mathbf 1.$$

Each dense step is the layer's *forward* pass on $v$ (without its bias) plus its usual weight gradient with
$v$ in place of $x$: $v$ travels input → output. And what does *not* appear: $g$ involves no bias, so
$\partial P / \partial b = 0$; it depends on $x$ only through the slope $s$, which is piecewise constant, so
every term with a second derivative of the activation vanishes, and $\partial P / \partial x = 0$ too.
Batch norm has no place in such a critic: it mixes the examples of a batch, and the per-example
gradient the penalty constrains no longer exists. Written out and checked:
""", r"""
## 4. 手工推导梯度惩罚

裁剪是让深层 critic 保持 Lipschitz 的一种粗糙办法(它限制的是每个权重,而不是函数的斜率,而且训练很慢)。
WGAN-GP(Gulrajani 等,2017)改为在关键的地方*要求*斜率为 1,在 critic 的损失上加上

$$\lambda\; \mathbb{E}_{\hat x} \left(\|\nabla_{\hat x} f(\hat x)\|_2 - 1\right)^2, \qquad \hat x = t\,x_\text{real} + (1 - t)\,x_\text{fake},\;\; t \sim U[0, 1],$$

取在真实图像和假图像之间的随机点上(最优的 critic 沿这些直线的斜率为 1),$\lambda = 10$。
R1(Mescheder 等,2018)在真实图像上惩罚 $\frac{\gamma}{2}\|\nabla_x f(x)\|^2$:同一个函数,中心取 0。
范数取在一个样本的*全部*数值上(整张图像)。

训练需要惩罚项对 critic 权重的梯度:导数的导数。窍门在于看出**输入梯度本身就是一个网络**:反向传播。
对一个两层的 critic $f(x) = \mathrm{lrelu}(x W_1 + b_1) W_2 + b_2$(每行 $x$ 有 $D$ 个值,$W_1$ 的形状为 $D \times H$,
$W_2$ 的形状为 $H \times 1$),前向为 $a = x W_1 + b_1$,$h = \mathrm{lrelu}(a)$,从 $dy = 1$ 开始的反向传播为:

$$dh = \mathbf 1\, W_2^\top, \qquad da = s \odot dh \;\;(s = \mathrm{lrelu}'(a) \in \{1, \alpha\}), \qquad g = da\, W_1^\top.$$

$g$ 的第 $n$ 行就是 $\nabla_x f(x_n)$。令 $P = \frac1N \sum_n (\|g_n\| - c)^2$,沿这三行反向走一遍,*第一行放在最后*:

$$v = \frac{\partial P}{\partial g} = \frac{2}{N}\,\frac{\|g_n\| - c}{\|g_n\|}\, g_n, \qquad
\frac{\partial P}{\partial W_1} = v^\top da, \qquad v_1 = \frac{\partial P}{\partial (da)} = v\, W_1,$$

$$v_2 = \frac{\partial P}{\partial (dh)} = s \odot v_1, \qquad \frac{\partial P}{\partial W_2} = v_2^\top \mathbf 1.$$

每一个全连接步骤,都是该层在 $v$ 上的*前向*传播(不加偏置),再加上它通常的权重梯度(用 $v$ 代替 $x$):
$v$ 从输入走向输出。再看*没有*出现的东西:$g$ 中不含偏置,所以 $\partial P / \partial b = 0$;
$g$ 只通过斜率 $s$ 依赖于 $x$,而 $s$ 是分段常数,所以所有含激活函数二阶导数的项都消失了,$\partial P / \partial x$ 也为 0。
这样的 critic 里不能有批归一化:它把一个批次里的样本混在一起,惩罚项所约束的“每个样本的梯度”就不存在了。
写出来并检验:
"""),
    code(r"""
rng = np.random.default_rng(1)
N, D_in, H, alpha = 4, 5, 7, 0.2
W1, b1 = rng.standard_normal((D_in, H)), rng.standard_normal(H)
W2, b2 = rng.standard_normal((H, 1)), rng.standard_normal(1)
x = rng.standard_normal((N, D_in))


def critic(x):
    a = x @ W1 + b1
    return np.maximum(alpha * a, a) @ W2 + b2


def penalty_by_hand(x, center=1.0):
    # forward
    a = x @ W1 + b1
    s = np.where(a > 0, 1.0, alpha)           # LeakyReLU's slope at a
    # backward from dy = 1: the input gradient g, one row per example
    ones = np.ones((len(x), 1))
    dh = ones @ W2.T                          # Dense 2
    da = s * dh                               # LeakyReLU
    g = da @ W1.T                             # Dense 1
    norms = np.linalg.norm(g, axis=1)
    P = np.mean((norms - center) ** 2)
    # the backward pass of that backward pass, first layer first
    v = 2 / len(x) * ((norms - center) / norms)[:, None] * g     # dP/dg
    dW1 = v.T @ da                            # Dense 1: g = da @ W1.T
    v1 = v @ W1                               # dP/d(da)
    v2 = s * v1                               # LeakyReLU: da = s * dh, so dP/d(dh)
    dW2 = v2.T @ ones                         # Dense 2: dh = ones @ W2.T
    return P, g, dW1, dW2


P, g, dW1, dW2 = penalty_by_hand(x)
g_numeric = numerical_gradient(lambda: float(critic(x).sum()), x)     # rows are independent
print("g relative error =", f"{relative_error(g, g_numeric):.1e}")
print("P from the finite-differenced g:", np.isclose(P, np.mean((np.linalg.norm(g_numeric, axis=1) - 1) ** 2)))
for name, analytic, array in (("dW1", dW1, W1), ("dW2", dW2, W2)):
    numeric = numerical_gradient(lambda: penalty_by_hand(x)[0], array)
    print(f"{name} relative error =", f"{relative_error(analytic, numeric):.1e}")
for name, array in (("b1", b1), ("b2", b2), ("x", x)):
    numeric = numerical_gradient(lambda: penalty_by_hand(x)[0], array)
    print(f"dP/d{name} is zero:", np.abs(numeric).max() < 1e-8)
"""),
    md(r"""
`npgan.penalties.input_gradient_penalty(net, x, center)` does the same for any critic built from `Dense`,
`Conv2d`, `LeakyReLU`, `ReLU`, `Dropout`, `Flatten`, `Reshape` and `LabelChannels`: one forward pass, the
backward pass from $dy = 1$ keeping each layer's $dy$, then each layer's `double_backward(v, dy)` from the
first layer to the last, adding $\partial P / \partial W$ into the gradients (a conditional critic's norm
covers the image only: `classes=`). It refuses `BatchNorm`. It agrees with the hand-written version:
""", r"""
`npgan.penalties.input_gradient_penalty(net, x, center)` 对任何由 `Dense`、`Conv2d`、`LeakyReLU`、`ReLU`、
`Dropout`、`Flatten`、`Reshape` 和 `LabelChannels` 构成的 critic 做同样的事:一次前向传播,从 $dy = 1$
开始的反向传播(记下每一层收到的 $dy$),然后从第一层到最后一层调用每一层的 `double_backward(v, dy)`,
把 $\partial P / \partial W$ 累加到梯度中(条件 critic 的范数只覆盖图像:`classes=`)。遇到 `BatchNorm` 它会拒绝。
它与手写版本一致:
"""),
    code(r"""
net = Sequential(Dense(D_in, H, dtype=np.float64), LeakyReLU(alpha), Dense(H, 1, dtype=np.float64))
for (name, param, _), value in zip(net.parameters(), (W1, b1, W2, b2)):
    param[...] = value
net.zero_grad()
value = input_gradient_penalty(net, x, center=1.0)
print("npgan's penalty == by hand:", np.isclose(value, P))
print("npgan's dW1, dW2 == by hand:", np.allclose(net.grads["0/W"], dW1) and np.allclose(net.grads["2/W"], dW2))
print("npgan's db1, db2 are zero:", not net.grads["0/b"].any() and not net.grads["2/b"].any())
"""),
    md(r"""
## 5. The penalty at work

Two clouds of points in the plane: "real" ones on a ring of eight clusters, "fake" ones in a blob at the
centre. Two critics (2-64-64-1, LeakyReLU 0.2) train on the Wasserstein objective with WGAN-GP's Adam, one
without any constraint and one with the gradient penalty ($\lambda = 10$). Then we measure
$\|\nabla f\|$ at random interpolates:
""", r"""
## 5. 梯度惩罚的效果

平面上的两团点:“真”点分布在一个由八个簇组成的圆环上,“假”点是中心的一团。两个 critic(2-64-64-1,
LeakyReLU 0.2)用 WGAN-GP 的 Adam 在 Wasserstein 目标上训练,一个不加任何约束,一个加梯度惩罚($\lambda = 10$)。
然后在随机插值点上测量 $\|\nabla f\|$:
"""),
    code(r"""
def ring(n, rng, modes=8, radius=2.0, spread=0.05):
    angles = 2 * np.pi * rng.integers(0, modes, n) / modes
    points = radius * np.stack([np.cos(angles), np.sin(angles)], axis=1) + spread * rng.standard_normal((n, 2))
    return points.astype(np.float32)


def blob(n, rng):
    return (0.5 * rng.standard_normal((n, 2))).astype(np.float32)


def train_critic(weight, steps, seed=0, batch=256):
    rng = np.random.default_rng(seed)
    critic = Sequential(Dense(2, 64, rng=rng), LeakyReLU(0.2), Dense(64, 64, rng=rng), LeakyReLU(0.2),
                        Dense(64, 1, rng=rng))
    opt = Adam(critic, lr=1e-3, beta1=0.5, beta2=0.9)      # WGAN-GP's betas
    for _ in range(steps):
        real, fake = ring(batch, rng), blob(batch, rng)
        critic.zero_grad()
        scores = critic.forward(np.concatenate([real, fake]))
        _, (d_real, d_fake) = wgan.d_loss(scores[:batch], scores[batch:])
        critic.backward(np.concatenate([d_real, d_fake]), input_grad=False)
        if weight:   # adds weight * dP/d(params) into the critic's gradients
            input_gradient_penalty(critic, random_interpolates(real, fake, rng), center=1.0, weight=weight)
        opt.step()
    return critic


def gradient_norms(critic, points):
    critic.forward(points)
    return np.linalg.norm(critic.backward(np.ones((len(points), 1), np.float32), param_grads=False), axis=1)


steps = 100 if FAST else 1000
start = time.perf_counter()
critics = {"no constraint": train_critic(0.0, steps), "gradient penalty": train_critic(10.0, steps)}
print(f"{steps} steps of each critic in {time.perf_counter() - start:.1f} s")
probe_rng = np.random.default_rng(99)
probe = random_interpolates(ring(2000, probe_rng), blob(2000, probe_rng), probe_rng)
norms = {label: gradient_norms(c, probe) for label, c in critics.items()}
for label, n in norms.items():
    print(f"{label:17s} ||grad f|| on interpolates: median {np.median(n):.2f}, "
          f"10%-90% {np.percentile(n, 10):.2f}-{np.percentile(n, 90):.2f}")
"""),
    md(r"""
The unconstrained critic's slope keeps growing with every step (its scores run off to infinity, as in
section 3); the penalised one holds $\|\nabla f\| \approx 1$ between the clouds, and its scores rise from
the blob to the ring: a smooth slope for the generator to follow.
""", r"""
不加约束的 critic 的斜率随每一步不断增大(它的分数跑向无穷大,和第 3 节一样);加了惩罚的 critic 在两团点之间
保持 $\|\nabla f\| \approx 1$,它的分数从中心那团点向圆环平稳上升:一个平滑的斜坡,生成器可以顺着它走。
"""),
    code(r"""
grid = np.linspace(-3, 3, 121, dtype=np.float32)
xx, yy = np.meshgrid(grid, grid)
plane = np.stack([xx.ravel(), yy.ravel()], axis=1)
view_rng = np.random.default_rng(5)
fig, axes = plt.subplots(1, 3, figsize=(14, 3.8))
for ax, (label, c) in zip(axes, critics.items()):
    field = ax.contourf(xx, yy, c.forward(plane).reshape(xx.shape), levels=20, cmap="coolwarm")
    ax.scatter(*ring(300, view_rng).T, s=2, c="k")
    ax.scatter(*blob(300, view_rng).T, s=2, c="g")
    ax.set_title(f"critic f: {label}")
    ax.set_aspect("equal")
    fig.colorbar(field, ax=ax)
bins = np.logspace(-2, 4, 80)
for label, n in norms.items():
    axes[2].hist(n, bins=bins, alpha=0.6, label=label)
axes[2].set_xscale("log")
axes[2].axvline(1, color="k", linestyle="--", linewidth=0.8)
axes[2].set_xlabel("||grad f|| on interpolates")
axes[2].legend()
plt.show()
"""),
    md(r"""
## 6. Spectral norm's power iteration

Spectral normalisation (Miyato et al., 2018) makes each layer 1-Lipschitz by construction: it divides a
weight matrix by its largest singular value $\sigma(W) = \max_{v \neq 0} \|W v\| / \|v\|$, so $W / \sigma(W)$
stretches no vector (a convolution's weight is reshaped to a matrix first). An SVD every step would be
costly; the **power iteration** finds $\sigma$ with two matrix-vector products,

$$v \leftarrow \frac{W^\top u}{\|W^\top u\|}, \qquad u \leftarrow \frac{W v}{\|W v\|}, \qquad \sigma \approx u^\top W v,$$

converging as fast as $(\sigma_2 / \sigma_1)^{2k}$ after $k$ iterations. Since training changes $W$ only a
little per step, keeping $u$ from one step to the next and doing *one* iteration per step is enough (the
vector is a buffer, saved in checkpoints). A matrix with known singular values (2, 1.5, then smaller):
""", r"""
## 6. 谱归一化的幂迭代

谱归一化(Miyato 等,2018)从结构上让每一层都是 1-Lipschitz 的:它把权重矩阵除以它的最大奇异值
$\sigma(W) = \max_{v \neq 0} \|W v\| / \|v\|$,于是 $W / \sigma(W)$ 不会拉长任何向量(卷积的权重先变形为矩阵)。
每一步都做一次 SVD 太贵了;**幂迭代**只用两次矩阵–向量乘积就能求出 $\sigma$:

$$v \leftarrow \frac{W^\top u}{\|W^\top u\|}, \qquad u \leftarrow \frac{W v}{\|W v\|}, \qquad \sigma \approx u^\top W v,$$

迭代 $k$ 次后,误差以 $(\sigma_2 / \sigma_1)^{2k}$ 的速度收敛。由于训练每一步只让 $W$ 变化一点点,
把 $u$ 从上一步保留到下一步、每步只迭代*一次*就够了(这个向量是一个缓冲区,保存在检查点中)。
用一个奇异值已知(2、1.5,其余更小)的矩阵来看:
"""),
    code(r"""
rng = np.random.default_rng(3)
U, _ = np.linalg.qr(rng.standard_normal((256, 128)))     # orthonormal columns
V, _ = np.linalg.qr(rng.standard_normal((128, 128)))
singular_values = np.concatenate([[2.0, 1.5], np.linspace(1.0, 0.1, 126)])
W = U @ np.diag(singular_values) @ V.T


def power_iteration(W, u, iterations=1):
    for _ in range(iterations):
        v = W.T @ u
        v /= np.linalg.norm(v)
        u = W @ v
        u /= np.linalg.norm(u)
    return u, v, float(u @ W @ v)


u = rng.standard_normal(256)
u /= np.linalg.norm(u)
errors = []
for _ in range(30):
    u, v, sigma = power_iteration(W, u)
    errors.append(abs(sigma - 2.0) / 2.0)
print(f"relative error of sigma after 1, 5, 30 iterations: {errors[0]:.1e}, {errors[4]:.1e}, {errors[-1]:.1e}")
print("converged to the largest singular value:", errors[-1] < 1e-6)

# In training: W moves a little each step; u is kept, one iteration per step.
drift = []
for step in range(200):
    W += 1e-3 * rng.standard_normal(W.shape) / 16
    u, v, sigma = power_iteration(W, u)
    drift.append(abs(sigma - np.linalg.svd(W, compute_uv=False)[0]) / sigma)
print(f"one iteration per step while W moves: largest relative error over 200 steps {max(drift):.1e}")
print("W / sigma stretches no vector by more than 1.001:", np.linalg.svd(W / sigma, compute_uv=False)[0] < 1.001)

fig, ax = plt.subplots(figsize=(6, 3))
ax.semilogy(range(1, 31), errors, marker="o", markersize=3)
ax.set_xlabel("power iterations")
ax.set_ylabel("relative error of sigma")
plt.show()
"""),
    md(r"""
## What next

The command line trains with each of these: `python -m npgan.train --loss ns|minimax|lsgan|hinge|wgan`, with
`--clip C`, `--penalty gp|r1` and `--penalty-weight`, or `--spectral-norm`; the README's table gives each
paper's recipe and how well it did on MNIST. The library's code for this notebook: `npgan/losses.py` (the
objectives), `npgan/penalties.py` (the penalty, whose module docstring repeats section 4's derivation), and
each layer's `double_backward` in `npgan/layers.py` and `npgan/conv.py`.
""", r"""
## 接下来

命令行可以用上面每一种方法训练:`python -m npgan.train --loss ns|minimax|lsgan|hinge|wgan`,
配合 `--clip C`、`--penalty gp|r1` 和 `--penalty-weight`,或 `--spectral-norm`;README 中的表格列出了每篇论文的配方,
以及它们在 MNIST 上的效果。本笔记本对应的库代码:`npgan/losses.py`(各个目标函数)、`npgan/penalties.py`
(梯度惩罚,其模块文档重复了第 4 节的推导),以及 `npgan/layers.py` 和 `npgan/conv.py` 中每一层的 `double_backward`。
"""),
]
