"""Notebook 04: a conditional GAN that draws the digit you ask for, and walks through latent space
(English and Chinese)."""
from cells import code, md, setup_code
from measured import CONDITIONAL as M


WORST_DIGIT, WORST_ACCURACY = M["notebook_worst_digit"]
CONSTANT, DECAY, SEED1, SEED2 = M["cnn_constant"], M["cnn_decay"], M["cnn_decay_seed1"], M["cnn_decay_seed2"]
FULL_EN = (
    f"An epoch of this notebook's training took {M['seconds_per_epoch']:.1f} s on one core of the 2-core machine "
    f"npgan is developed on (while other training runs shared it), so the 100 epochs take about "
    f"{100 * M['seconds_per_epoch'] / 60:.0f} minutes. That run predates `lr_decay` (it trained at the constant "
    f"rate) and was scored by the MLP judge of then (98.4% right on the test digits): it saw the asked-for digit "
    f"in {M['notebook_accuracy']:.0%} of 10,000 samples, and in {WORST_ACCURACY:.0%} of the {WORST_DIGIT}s, the digit "
    f"it recognised least often; FID {M['notebook_fid']}. The same networks trained by "
    f"`python -m npgan.train --conditional` for 100 epochs at the constant rate draw the asked-for digit "
    f"{M['accuracy']:.0%} of the time by that judge (with plain concatenation, no mismatched labels: "
    f"{M['accuracy_plain']:.0%}), and score an FID of {M['fid']} against the unconditional tutorial's "
    f"{M['fid_unconditional']}: knowing which digit to draw also makes better digits. The stricter CNN judge, "
    f"now the default, saw the asked-for digit in {CONSTANT['accuracy']:.1%} of that run's samples and only "
    f"{CONSTANT['worst_digit'][1]:.1%} of its {CONSTANT['worst_digit'][0]}s (FID {CONSTANT['fid']}); with "
    f"`lr_decay = {M['lr_decay']}`, now the conditional run's default, {DECAY['accuracy']:.1%}, the "
    f"worst digit the {DECAY['worst_digit'][0]}s at {DECAY['worst_digit'][1]:.1%} (FID {DECAY['fid']}); on seed 1, "
    f"{SEED1['accuracy']:.1%}, the {SEED1['worst_digit'][0]}s at {SEED1['worst_digit'][1]:.1%} (FID {SEED1['fid']}); on "
    f"seed 2, {SEED2['accuracy']:.1%}, but the {SEED2['worst_digit'][0]}s only {SEED2['worst_digit'][1]:.1%}: "
    f"the 8s remain this small generator's weak digit.")
FULL_ZH = (
    f"在开发 npgan 的双核机器上(同时还有别的训练在跑),本笔记本的训练用一个核每个 epoch 需要 "
    f"{M['seconds_per_epoch']:.1f} 秒,所以 100 个 epoch 大约需要 {100 * M['seconds_per_epoch'] / 60:.0f} 分钟。"
    f"那次运行早于 `lr_decay`(学习率不变),由当时的 MLP 评判者(测试集正确率 98.4%)打分:"
    f"它在 10,000 个样本中有 {M['notebook_accuracy']:.0%} 认出了要求的数字"
    f";认得最差的数字是 {WORST_DIGIT},为 {WORST_ACCURACY:.0%}。这些样本的 FID 为 {M['notebook_fid']}。"
    f"用 `python -m npgan.train --conditional` 以不变的学习率训练 100 个 epoch 的同样的网络,按这个评判者有 "
    f"{M['accuracy']:.0%} 的时候画出了要求的数字(只做拼接、不用错配标签时为 {M['accuracy_plain']:.0%}),FID 为 {M['fid']},"
    f"而无条件的教程模型为 {M['fid_unconditional']}:知道要画哪个数字,也让数字画得更好。"
    f"更严格的 CNN 评判者(现在的默认)认出那次运行的样本中 {CONSTANT['accuracy']:.1%} 是要求的数字,"
    f"它的 {CONSTANT['worst_digit'][0]} 只有 {CONSTANT['worst_digit'][1]:.1%}(FID {CONSTANT['fid']});"
    f"加上 `lr_decay = {M['lr_decay']}`(现在条件训练的默认值)后为 {DECAY['accuracy']:.1%},"
    f"认得最差的 {DECAY['worst_digit'][0]} 为 {DECAY['worst_digit'][1]:.1%}(FID {DECAY['fid']});用种子 1 时为 "
    f"{SEED1['accuracy']:.1%},{SEED1['worst_digit'][0]} 为 {SEED1['worst_digit'][1]:.1%}(FID {SEED1['fid']});"
    f"用种子 2 时为 {SEED2['accuracy']:.1%},但 {SEED2['worst_digit'][0]} 只有 {SEED2['worst_digit'][1]:.1%}:"
    f"8 仍是这个小生成器最弱的数字。")

NB04 = [
    md(r"""
# Ask for a digit: a conditional GAN

![Digits drawn on request by the conditional GAN this notebook trains, one row per digit](../docs/figures/conditional_digits.png)

*Where we are going: row $k$ holds digits $k$, drawn on request; each column shares one latent vector $z$.*

Notebook 01's generator draws *some* digit; which one is up to $z$. The first question everyone asks is
"can I make it draw a 7?" The answer (Mirza and Osindero, "Conditional generative adversarial nets",
2014) is one idea on top of the tutorial: **give both networks the label**. The generator gets the
digit it should draw beside $z$; the discriminator gets each image together with the digit it is supposed
to be. Then "real" means *a real image of that digit*, and to fool $D$, $G$ must draw the digit it was
asked for.

Everything else is notebook 01: the same one-hidden-layer networks, loss and optimizer (its learning rate
decaying), trained on MNIST's images *and labels*. This notebook shows what the label changes in the forward and the backward pass,
why the discriminator also needs real images with wrong labels, and then what a trained conditional
generator can do: a grid with a row per digit, walks through latent space, one digit morphing into
another, and how often a classifier agrees that the digit drawn is the digit asked for.

**Running it.** The full run is notebook 01's 100 epochs, 3 to 5 minutes on one core. `NPGAN_FAST=1`
trains briefly on 5,000 images instead (the test suite does this): too briefly to obey the label.
""", r"""
# 想要哪个数字就画哪个:条件 GAN

![本笔记本训练的条件 GAN 按要求写出的数字,每个数字一行](../docs/figures/conditional_digits.png)

*我们的目标:第 $k$ 行是按要求画出的数字 $k$;同一列共用一个潜在向量 $z$。*

笔记本 01 的生成器能画出*某个*数字,画哪一个由 $z$ 决定。每个人首先会问:“能让它画一个 7 吗?”
答案(Mirza 和 Osindero,《Conditional generative adversarial nets》,2014)只是在教程之上加了一个想法:
**把标签交给两个网络**。生成器在 $z$ 旁边得到它应该画的数字;辨别器在每张图像旁边得到这张图像应该是的数字。
这样,“真”的意思就变成了*这个数字的一张真实图像*;要骗过 $D$,$G$ 就必须画出要求的数字。

其余的一切都和笔记本 01 相同:同样只有一个隐藏层的网络、同样的损失和优化器(只是学习率逐渐衰减),在 MNIST 的图像*和标签*上训练。
这个笔记本会说明标签在前向和反向传播中改变了什么,为什么辨别器还需要看到配了错误标签的真实图像,
然后展示训练好的条件生成器能做什么:每个数字一行的网格、潜在空间里的漫步、一个数字渐变成另一个数字,
以及分类器有多经常认为画出的就是要求的数字。

**如何运行。** 完整运行就是笔记本 01 的 100 个 epoch,在一个 CPU 核上需要 3 到 5 分钟。
设置 `NPGAN_FAST=1` 则只用 5,000 张图像短暂训练(测试套件就是这样运行的):时间太短,生成器还学不会听从标签。
"""),
    setup_code(
        "One BLAS thread, as in notebook 01.",
        "NPGAN_FAST=1 trains briefly on 5,000 images (the test suite does this); unset = the real thing.",
        r"""
from npgan.checkpoints import generator_arrays, load_generator
from npgan.data import load_mnist
from npgan.evaluate import conditional_accuracy
from npgan.gan import GAN, GANConfig, one_hot, sample_z, to_unit_range, with_labels
from npgan.losses import bce_with_logits
from npgan.models import make_discriminator, make_generator
from npgan.optim import Adam
from npgan.plots import sample_grid_figure
from npgan.sample import draw, walks
"""),
    md(r"""
## Images and, this time, labels

The same 55,000 training images as notebook 01, and now their labels too: `load_mnist` has returned them
all along.
""", r"""
## 图像,这一次还有标签

和笔记本 01 一样的 55,000 张训练图像,这一次还要用到它们的标签:`load_mnist` 其实一直都会返回标签。
"""),
    code(r"""
images, labels = load_mnist("train", data_dir=DATA_DIR, download=DOWNLOAD)
train_images, train_labels = images[5000:], labels[5000:].astype(np.int64)   # TF1's mnist.train
if FAST:
    train_images, train_labels = train_images[:5000], train_labels[:5000]
print("we train on", len(train_images), "images; digits 0-9 each make up",
      f"{np.bincount(train_labels).min() / len(train_labels):.1%} to {np.bincount(train_labels).max() / len(train_labels):.1%}")
first_of_each = [np.flatnonzero(train_labels == k)[0] for k in range(10)]
sample_grid_figure(to_unit_range(train_images[first_of_each]), 1, 10, title="A real digit of each label, 0 to 9")
"""),
    md(r"""
## What changes: two concatenations

The label $k$ travels as a **one-hot** row $y$ of 10 numbers, a 1 in place $k$ (`one_hot`). It is appended
twice:

- to the generator's input: $[z, y]$, 100 + 10 = 110 numbers;
- to every image the discriminator sees: $[x, y]$, 784 + 10 = 794 numbers, real or fake.

That is the whole change to the networks: their first layers are wider. What does the label do there?
Split the first layer's weights into the rows that meet $z$ and the rows that meet $y$:

$$[z, y] \begin{bmatrix} W_z \\ W_y \end{bmatrix} + b = z W_z + y W_y + b = z W_z + (W_y)_k + b .$$

A one-hot row picks one row of $W_y$: **each digit gets a bias of its own** for the hidden layer, learned
like every other weight. Conditioning shifts where the hidden units sit for each digit; $z$ does the rest.

**The gradients.** A concatenation's backward pass just splits the gradient: $\partial L/\partial [z, y] =
[\partial L/\partial z,\ \partial L/\partial y]$. The weights $W_y$ get their gradient as any weights do,
$y^\top\, \partial L/\partial h$: row $k$ collects the gradient of the examples labelled $k$, and rows of
digits absent from the batch get none. The label itself is data, not a weight and not any network's
output, so *its* gradient has nowhere to go:

- $G$'s input gradient (for $z$ and $y$) is not even computed (`input_grad=False`, as in notebook 01);
- in the G step, $D$'s backward pass returns the gradient for its whole input $[x_\text{fake}, y]$, shape
  $(N, 794)$. Only the first 784 columns belong to something $G$ made; they flow into $G$. The last 10 are
  dropped.
""", r"""
## 改变了什么:两次拼接

标签 $k$ 以 **one-hot** 的形式传递:一行 10 个数,第 $k$ 个位置是 1(`one_hot`)。它被拼接了两次:

- 拼到生成器的输入上:$[z, y]$,100 + 10 = 110 个数;
- 拼到辨别器看到的每一张图像上:$[x, y]$,784 + 10 = 794 个数,无论真假。

网络的改动就这么多:它们的第一层变宽了。标签在那里起什么作用呢?把第一层的权重分成与 $z$ 相乘的行和与 $y$ 相乘的行:

$$[z, y] \begin{bmatrix} W_z \\ W_y \end{bmatrix} + b = z W_z + y W_y + b = z W_z + (W_y)_k + b .$$

one-hot 行从 $W_y$ 中挑出一行:**每个数字都给隐藏层带来一个自己的偏置**,它和其他权重一样是学出来的。
条件化的作用就是按数字移动隐藏单元的位置;其余的交给 $z$。

**梯度。** 拼接的反向传播只是把梯度切开:$\partial L/\partial [z, y] = [\partial L/\partial z,\ \partial L/\partial y]$。
$W_y$ 和任何权重一样得到梯度 $y^\top\, \partial L/\partial h$:第 $k$ 行收集标签为 $k$ 的样本的梯度,
批次里没有出现的数字,对应的行得不到梯度。标签本身是数据,既不是权重,也不是哪个网络的输出,所以*它的*梯度无处可去:

- $G$ 对输入($z$ 和 $y$)的梯度根本不计算(`input_grad=False`,和笔记本 01 一样);
- 在训练生成器的那一步,$D$ 的反向传播返回对它整个输入 $[x_\text{fake}, y]$ 的梯度,形状为 $(N, 794)$。
  只有前 784 列属于 $G$ 画出的东西,它们流进 $G$;最后 10 列被丢掉。
"""),
    code(r"""
z_size, classes = 100, 10
rng = np.random.default_rng(0)
G = make_generator(z_size + classes, 128, rng=rng)     # notebook 01's generator, 110 inputs
D = make_discriminator(784 + classes, 128, rng=rng)    # notebook 01's discriminator, 794 inputs

z, y = sample_z(rng, 4, z_size), np.array([3, 3, 7, 7])
g_input = np.concatenate([z, one_hot(y, classes)], axis=1)      # with_labels(z, y, classes) does this
W, b = G.params["0/W"], G.params["0/b"]
print("G's input:", g_input.shape, "| [z, y] W + b == z W_z + (W_y)_k + b:",
      np.allclose(g_input @ W + b, z @ W[:z_size] + W[z_size + y] + b, atol=1e-6))

fake = G.forward(g_input)
_, grad = bce_with_logits(D.forward(with_labels(fake, y, classes)), 1.0)
D.zero_grad()
d_input_grad = D.backward(grad)                                 # this time with D's weight gradients too
print("D's input gradient:", d_input_grad.shape, "-> the image part for G:", d_input_grad[:, :784].shape)
W_y_grad = D.grads["0/W"][784:]                                 # the rows of D's first layer that meet y
print("rows of D's W_y with a gradient:", np.flatnonzero(np.abs(W_y_grad).sum(axis=1)), "(the batch holds 3s and 7s)")
"""),
    md(rf"""
## Wrong labels: make the discriminator read the label

Concatenation alone leaves a loophole. $D$'s task is "real or fake?", and it can do that job without ever
looking at the label: real images always come with their true labels. So $D$ may learn little about which
image fits which label, and $G$ is pushed to obey the label only as far as $D$ happens to check it. With
the tutorial's networks, plain concatenation drew the asked-for digit {M['accuracy_plain']:.0%} of the time after 100 epochs.

The fix (the "matching-aware" discriminator of Reed et al., "Generative adversarial text to image
synthesis", 2016) is a third kind of example: a **real image with a wrong label**, which $D$ must call
fake. Now $D$ cannot win without checking the label against the image; it learns what each digit looks
like, and $G$, to pass, must draw the digit it was asked for. `mismatch = 0.5` makes half of $D$'s
negative examples such pairs, taking the place of half the fakes: the batch keeps its size, and the step
costs no more. With it, {M['accuracy']:.0%} of the digits came out right after 100 epochs.

Each wrong label is the true one shifted by 1 to 9 (the shift taken from another example's label,
the batch read backwards): never the right label, and over many batches every wrong label appears. Here is one D batch of 8:
""", rf"""
## 错误的标签:逼辨别器去读标签

只做拼接会留下一个漏洞。$D$ 的任务是判断“真还是假?”,而它完全可以不看标签就完成这个任务:
真实图像总是带着正确的标签。于是 $D$ 可能几乎学不到哪张图像配哪个标签,而 $G$ 听从标签的压力,
只取决于 $D$ 碰巧检查了多少标签。用教程的网络只做拼接,训练 100 个 epoch 后,画出要求数字的比例是 {M['accuracy_plain']:.0%}。

解决办法(Reed 等人在《Generative adversarial text to image synthesis》(2016)中提出的“匹配感知”辨别器)
是加入第三种样本:**配了错误标签的真实图像**,$D$ 必须把它判为假。这样,$D$ 不把标签和图像对照一下就赢不了;
它学会了每个数字长什么样,而 $G$ 要想过关,就必须画出要求的数字。`mismatch = 0.5` 让 $D$ 的负样本中有一半是这样的组合,
替换掉一半的假图像:批次大小不变,每一步的计算量也不增加。加上它之后,训练 100 个 epoch,{M['accuracy']:.0%} 的数字都画对了。

每个错误标签都是把正确标签平移 1 到 9(平移量取自另一个样本的标签,即把批次倒过来读):永远不会是正确的标签,
而且在许多批次中,每一种错误标签都会出现。下面是一个 8 张图像的 D 批次:
"""),
    code(r"""
mismatch = 0.5   # share of D's negatives that are real images with a wrong label


def d_batch(real, fake, labels):
    # D's inputs for the D step, (2n, 794): n real images with their labels, then n negatives: fakes with
    # the labels they were drawn for and, for the last `mismatch` share, real images with wrong labels
    n = len(real)
    kept = round(n * (1 - mismatch))                                     # negatives that are fakes
    wrong = (labels + 1 + labels[::-1] % (classes - 1)) % classes       # shifted by 1..9: never right
    images = np.concatenate([real, fake[:kept], real[kept:]])
    shown = np.concatenate([labels, labels[:kept], wrong[kept:]])
    return with_labels(images, shown, classes), shown


real, real_labels = to_unit_range(train_images[:8]), train_labels[:8]
fake = G.forward(with_labels(sample_z(rng, 8, z_size), real_labels, classes))
batch, shown = d_batch(real, fake, real_labels)
kinds = ["real"] * 8 + ["fake"] * 4 + ["wrong label"] * 4
fig, axes = plt.subplots(2, 8, figsize=(12, 3.8))
for ax, row, label, kind in zip(axes.ravel(), batch, shown, kinds):
    ax.imshow(row[:784].reshape(28, 28), cmap="Greys_r", vmin=-1, vmax=1)
    ax.set_title(f"{kind}\nlabel {label}", fontsize=9, color="tab:green" if kind == "real" else "tab:red")
    ax.axis("off")
fig.suptitle("top: positives (target 0.9); bottom: negatives (target 0)")
plt.show()
"""),
    md(r"""
## Hyperparameters and networks

Notebook 01's values, and `mismatch`, and one setting of the conditional run's own: the learning rates
decay, multiplied by `lr_decay` after each epoch (`python -m npgan.train --conditional`'s default). At the
constant rate the last epochs' digits stay blotchy, with stray pixels (the CNN judge recognised only 77.5%
of the asked-for 9s after 100 epochs): the steps stay as large as at the start, and $G$ keeps circling.
Smaller steps late in the run let it settle; it costs nothing per step. The networks are
notebook 01's, built by `npgan.models`, with the wider inputs.
""", r"""
## 超参数和网络

沿用笔记本 01 的取值,再加上 `mismatch`,以及条件训练自己的一个设置:学习率逐渐衰减,每个 epoch 结束后乘以 `lr_decay`
(`python -m npgan.train --conditional` 的默认值)。学习率不变时,最后几个 epoch 画出的数字仍然斑驳,带着零散的亮点(训练 100 个 epoch 后,CNN 评判者只认出 77.5% 的要求的 9):
步子一直和开始时一样大,$G$ 一直在绕圈。训练后期步子变小,$G$ 就能稳定下来;每一步的计算量不变。网络就是笔记本 01 的网络,由 `npgan.models` 构建,只是输入更宽。
"""),
    code(r"""
g_hidden = d_hidden = 128
alpha = 0.01           # leak of the Leaky ReLU
smooth = 0.1           # label smoothing: real images (with their true labels) get the target 0.9
learning_rate = 0.002
lr_decay = 0.97        # both learning rates multiplied by this after each epoch: the conditional run's own
batch_size = 100
epochs = 6 if FAST else 100
seed = 0


def networks(seed):
    # G, D and their optimizers, drawn from the seed as npgan.gan.GAN draws them
    rng = np.random.default_rng(seed)
    G = make_generator(z_size + classes, g_hidden, alpha=alpha, rng=rng)      # [z, y] -> image
    D = make_discriminator(784 + classes, d_hidden, alpha=alpha, rng=rng)     # [image, y] -> logit
    return G, D, Adam(G, lr=learning_rate), Adam(D, lr=learning_rate)
"""),
    md(r"""
## One training step

Notebook 01's step, with the label in three places: $G$ draws the digits the real batch holds; $D$'s batch
is built by `d_batch` (positives, fakes, wrong labels) and trained in one pass of $2n$ rows; and in the G
step the fakes go through $D$ *with the labels they were drawn for*, and only the image part of $D$'s input
gradient flows into $G$.
""", r"""
## 训练的一步

和笔记本 01 的一步相同,只是标签出现在三个地方:$G$ 画出真实批次里有的那些数字;$D$ 的批次由 `d_batch` 构建
(正样本、假图像、错误标签),一次用 $2n$ 行训练;在训练生成器的那一步,假图像*带着它们被要求画的标签*通过 $D$,
并且只有 $D$ 输入梯度中图像的部分流进 $G$。
"""),
    code(r"""
def train_step(G, D, g_opt, d_opt, real, z, labels):
    n = len(real)
    # 1. G draws the digits of the real batch: z with the labels appended
    fake = G.forward(with_labels(z, labels, classes))

    # 2. D step: positives (target 0.9), then fakes and wrong labels (target 0), as one batch of 2n rows
    logits = D.forward(d_batch(real, fake, labels)[0])
    d_loss_real, d_grad_real = bce_with_logits(logits[:n], 1 - smooth)
    d_loss_fake, d_grad_fake = bce_with_logits(logits[n:], 0.0)
    D.zero_grad()
    D.backward(np.concatenate([d_grad_real, d_grad_fake]), input_grad=False)
    d_opt.step()

    # 3. G step: the fakes with their labels through the updated D, target 1
    g_loss, g_grad = bce_with_logits(D.forward(with_labels(fake, labels, classes)), 1.0)
    d_input_grad = D.backward(g_grad, param_grads=False)    # (n, 794): image columns, then label columns
    G.zero_grad()
    G.backward(d_input_grad[:, :784], input_grad=False)     # only the image part flows into G
    g_opt.step()
    return d_loss_real + d_loss_fake, g_loss


# npgan.gan.GAN.train_step(real, z, labels) is this very step: one step of each, from the same weights
G, D, g_opt, d_opt = networks(seed)
gan = GAN(GANConfig.for_model("tutorial", conditional=True, mismatch=mismatch, seed=seed))
assert (gan.config.lr, gan.config.lr_decay, gan.config.smooth) == (learning_rate, lr_decay, smooth)
real, real_labels = to_unit_range(train_images[:batch_size]), train_labels[:batch_size]
z = sample_z(rng, batch_size, z_size)
train_step(G, D, g_opt, d_opt, real, z, real_labels)
gan.train_step(real, z, real_labels)
print("this step == npgan.gan.GAN.train_step:",
      np.array_equal(G.flat_params, gan.G.flat_params) and np.array_equal(D.flat_params, gan.D.flat_params))
"""),
    md(r"""
## Training

As in notebook 01, with the labels of each batch and the learning rates set at the start of each epoch.
At the end of every epoch we print the mean losses of
its steps and keep a grid of samples: 8 fixed latent vectors, each asked for every digit, so row $k$ of the
grid should become the digit $k$.
""", r"""
## 训练模型

和笔记本 01 一样,只是每个批次都带上了标签,并在每个 epoch 开始时设定学习率。每个 epoch 结束时,打印这个 epoch 各步损失的平均值,并保存一个样本网格:
8 个固定的潜在向量,每个都被要求画出每一个数字,所以网格的第 $k$ 行应该逐渐变成数字 $k$。
"""),
    code(r"""
G, D, g_opt, d_opt = networks(seed)
data_rng = np.random.default_rng(seed + 1)
view_z = np.tile(sample_z(data_rng, 8, z_size), (classes, 1))   # 8 latent vectors, repeated for each digit
view_labels = np.repeat(np.arange(classes), 8)                 # row k: digit k
samples = []
steps_per_epoch = len(train_images) // batch_size
start = time.perf_counter()

for e in range(epochs):
    g_opt.lr = d_opt.lr = learning_rate * lr_decay ** e      # smaller steps as the run goes on
    order = data_rng.permutation(len(train_images))
    d_sum = g_sum = 0.0
    for ii in range(steps_per_epoch):
        rows = order[ii * batch_size:(ii + 1) * batch_size]
        z = sample_z(data_rng, batch_size, z_size)
        d_loss, g_loss = train_step(G, D, g_opt, d_opt, to_unit_range(train_images[rows]), z, train_labels[rows])
        d_sum += d_loss
        g_sum += g_loss
    print("Epoch {}/{}...".format(e + 1, epochs),
          "Discriminator Loss: {:.4f}...".format(d_sum / steps_per_epoch),
          "Generator Loss: {:.4f}".format(g_sum / steps_per_epoch),
          "({:.1f} s)".format(time.perf_counter() - start))
    samples.append(G.forward(with_labels(view_z, view_labels, classes)).copy())

print(f"{epochs} epochs of {steps_per_epoch} steps in {time.perf_counter() - start:.1f} s")
sample_grid_figure(samples[-1], classes, 8, title=f"Epoch {epochs}: row k asks for digit k")
"""),
    md(r"""
## Saving the generator, and a row per digit

`generator_arrays(G, z_size, classes)` records that the generator is conditional (`classes = 10`), so
`load_generator`, `npgan.sample` and `npgan.evaluate` know to append a label. `npgan.sample.draw` with
`digit="all"` draws $n$ latent vectors and asks each for every digit: row $k$ is digit $k$, and each
column shares one $z$. Down a column the digit changes, and the *style* tends to stay: slant, thickness, size. The
label says *what* to draw, $z$ says (some of) *how*. (The command line: `python -m npgan.sample --checkpoint
out/conditional_generator.npz --digit all --n 8`.)
""", r"""
## 保存生成器,每个数字一行

`generator_arrays(G, z_size, classes)` 会记下这个生成器是有条件的(`classes = 10`),
这样 `load_generator`、`npgan.sample` 和 `npgan.evaluate` 就知道要拼上标签。`npgan.sample.draw` 在
`digit="all"` 时抽取 $n$ 个潜在向量,并让每一个都画出每一个数字:第 $k$ 行是数字 $k$,每一列共用一个 $z$。
沿着一列往下看,数字变了,*风格*却往往保持不变:倾斜、粗细、大小。标签决定画*什么*,$z$ 决定(一部分)*怎么*画。
(命令行:`python -m npgan.sample --checkpoint out/conditional_generator.npz --digit all --n 8`。)
"""),
    code(r"""
path = OUT_DIR / "conditional_generator.npz"
np.savez(path, **generator_arrays(G, z_size, classes, model="tutorial", epoch=epochs))
G_saved, meta = load_generator(path)
print(f"saved {path}: z_size {meta['z_size']}, classes {meta['classes']}")

grid, grid_labels = draw(G_saved, meta, 8, seed=2024, digit="all")   # (80, 784), labels 0 x8, 1 x8, ...
sample_grid_figure(grid, classes, 8, title="Row k: digit k. Each column: one z")
"""),
    md(r"""
## Walks through latent space

What does the generator do *between* two latent vectors? A **latent walk** goes in a straight line,
$z_t = (1 - t)\, z_a + t\, z_b$ for $t$ from 0 to 1, with the label held fixed. A generator that has
learned a smooth map turns it into a smooth change of style: one 5 turns gradually into another. Jumps or
broken images in the middle would mean it has only memorised points. Row $k$ walks with the label $k$
(`python -m npgan.sample --interpolate --digit all`):
""", r"""
## 潜在空间里的漫步

在两个潜在向量*之间*,生成器会画出什么?**潜在漫步**沿直线前进,$z_t = (1 - t)\, z_a + t\, z_b$,$t$ 从 0 到 1,
标签保持不变。如果生成器学到的是一个平滑的映射,它就会把这条直线变成风格的平滑变化:一个 5 逐渐变成另一个 5。
如果中途出现跳变或残缺的图像,就说明它只记住了一些孤立的点。第 $k$ 行用标签 $k$ 漫步
(`python -m npgan.sample --interpolate --digit all`):
"""),
    code(r"""
walk = walks(G_saved, meta, rows=classes, steps=10, seed=5, digit="all")    # (10 * 10, 784), row-major
sample_grid_figure(walk, classes, 10, title="Row k: a straight line from one z to another, label k")
"""),
    md(r"""
The label can move too. Hold $z$ fixed and slide the label input from one-hot 3 to one-hot 8,
$y_t = (1 - t)\, e_3 + t\, e_8$. The in-between inputs are no label the generator ever saw, but its first
layer is linear in $y$: the hidden layer's per-digit bias slides from $(W_y)_3$ to $(W_y)_8$, and the
picture follows, from a 3 to an 8 in the style $z$ sets (`--interpolate --digit 3,8`). In the full run the
ends are clean digits and the middle is a fainter superposition of both: the generator learned what a 3
and an 8 look like, not what lies between them.
""", r"""
标签也可以动。固定 $z$,让标签输入从 one-hot 的 3 滑到 one-hot 的 8,$y_t = (1 - t)\, e_3 + t\, e_8$。
中间的输入并不是生成器见过的任何标签,但它的第一层对 $y$ 是线性的:隐藏层里每个数字自己的偏置从 $(W_y)_3$ 滑向 $(W_y)_8$,
图像也随之变化:以 $z$ 决定的风格从 3 变到 8(`--interpolate --digit 3,8`)。在完整运行中,两端是清楚的数字,
中间则是两者较淡的叠加:生成器学会了 3 和 8 各自长什么样,却没有学过它们之间是什么。
"""),
    code(r"""
morph = walks(G_saved, meta, rows=4, steps=10, seed=6, digit=(3, 8))      # z fixed along each row
sample_grid_figure(morph, 4, 10, title="Each row: one z, the label sliding from 3 to 8")
"""),
    md(r"""
## Does it draw the digit we ask for?

Looking at grids only goes so far. `npgan.evaluate` has a reference classifier, by default a small CNN
(99.31% right on MNIST's test digits): ask for each digit many times and count how often it sees the digit
that was asked for, the **conditional accuracy**, overall and per digit. It is trained once, about 75 s of
CPU time at one thread, and cached beside the data (or in `~/.cache/npgan`). Fast mode uses a quick stand-in instead: the same classifier
network trained for one epoch on 20,000 images, in about a second. (After the seconds of fast mode, expect about one digit in
ten: chance.)
""", r"""
## 它画的是我们要的数字吗?

只看网格能说明的有限。`npgan.evaluate` 有一个参考分类器,默认是一个小型 CNN(在 MNIST 测试集上的正确率为 99.31%):
对每个数字各要求很多次,数一数分类器有多经常认出的正是要求的数字,这就是**条件准确率**,包括总体的和每个数字的。
这个分类器只训练一次(单线程约 75 秒 CPU 时间),缓存在数据旁边(或 `~/.cache/npgan`)。快速模式改用一个快速的替身:
同样的分类器网络,只在 20,000 张图像上训练一个 epoch,大约一秒钟。(快速模式只训练了几秒钟,
预计大约十个里对一个:和瞎猜差不多。)
"""),
    code(r"""
if FAST:
    from npgan.classifier import RECIPE, features_and_logits, train_classifier
    from npgan.losses import softmax
    stand_in = train_classifier(images[:20000], labels[:20000], {**RECIPE, "epochs": 1})

    def classify(x):   # class probabilities (n, 10) of images (n, 784) in [-1, 1]
        return softmax(features_and_logits(stand_in, x)[1])

    test_images, test_labels = load_mnist("test", data_dir=DATA_DIR, download=DOWNLOAD)
    right = np.mean(classify(to_unit_range(test_images)).argmax(axis=1) == test_labels)
else:
    from npgan.evaluate import Evaluator
    evaluator = Evaluator("mnist", DATA_DIR, download=DOWNLOAD)

    def classify(x):
        return evaluator.classify(x)[1]

    right = evaluator.accuracy   # measured on the same 10,000 test digits when the evaluator was built
print(f"the classifier recognises {right:.1%} of MNIST's 10,000 test digits")

asked_for_samples, asked = draw(G_saved, meta, 100 if FAST else 1000, seed=7, digit="all")
overall, per_digit = conditional_accuracy(classify(asked_for_samples), asked, classes)
print(f"conditional accuracy: the classifier sees the asked-for digit in {overall:.1%} of {len(asked):,} samples")
fig, ax = plt.subplots(figsize=(7, 3))
ax.bar(range(classes), per_digit)
ax.axhline(0.1, color="grey", ls="--", lw=1, label="chance")
ax.set(xticks=range(classes), ylim=(0, 1), xlabel="digit asked for", ylabel="recognised as asked")
ax.legend()
plt.show()
"""),
    md(r"""
## The full run

""" + FULL_EN + r"""

The command line does all of this, resumably: `python -m npgan.train --conditional --out out/cgan`, then
`python -m npgan.sample --checkpoint out/cgan/generator.npz --digit 7 --n 16`, `--digit all`,
`--interpolate --digit 3,8 --gif morph.gif`, and `python -m npgan.evaluate --checkpoint out/cgan/generator.npz`,
whose report adds the conditional accuracy, overall and per digit.
""", r"""
## 完整运行

""" + FULL_ZH + r"""

命令行可以完成这里的全部工作(随时可以中断后继续):`python -m npgan.train --conditional --out out/cgan`,然后
`python -m npgan.sample --checkpoint out/cgan/generator.npz --digit 7 --n 16`、`--digit all`、
`--interpolate --digit 3,8 --gif morph.gif`,以及 `python -m npgan.evaluate --checkpoint out/cgan/generator.npz`,
它的报告会加上条件准确率,包括总体的和每个数字的。
"""),
]
