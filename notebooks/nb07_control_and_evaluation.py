"""Notebook 07: control what the generator draws (InfoGAN's codes, steering z) and judge it like the papers do
(precision, recall, truncation); English and Chinese."""
from cells import code, md, setup_code
from measured import CONTROL as M

FULL_EN = FULL_ZH = ""  # the full run's figures, from measured.py, are set below


def _full_run_text():
    """The paragraph on this notebook's full run, in both languages, from ``measured.CONTROL``."""
    pr = M["precision_recall"]
    rows_en = "; ".join(f"{name} {p:.2f} / {r:.2f} (FID {fid:.0f})" for name, (p, r, fid) in pr.items())
    rows_zh = ";".join(f"{M['names_zh'][name]} {p:.2f} / {r:.2f}(FID {fid:.0f})" for name, (p, r, fid) in pr.items())
    trunc = ", ".join(f"T = {t:g}: {p:.2f} / {r:.2f} (FID {fid:.0f})" for t, p, r, fid in M["truncation"])
    en = (
        f"This notebook's full run (`NPGAN_FAST` unset, one BLAS thread, on the 2-core development machine while "
        f"other engineers' runs shared it) took {M['minutes']:.0f} minutes end to end, {M['info_minutes']:.1f} of them "
        f"for the InfoGAN's {M['epochs']} epochs ({M['model']}) and {M['plain_minutes']:.1f} for the plain GAN's "
        f"{M['plain_epochs']}; the CNN judge (cached before) recognised {M['judge_accuracy']:.1%} of the test digits. "
        f"Q then read the category of {M['q_reads']:.0%} of fresh fakes (so $I(c; x) \\ge {M['bound']:.2f}$ "
        f"nats, out of $\\log 10 = {M['log10']:.2f}$), and the categorical code matched the judge's digits in "
        f"{M['code_accuracy']:.0%} of "
        f"10,000 samples: the rows show several categories drawing two digits, which the matching counts as "
        f"errors. In the sweeps, {M['sweeps_en']}. Redrawing z moved the pixels by {M['z_change']:.3f} on "
        f"average, redrawing the two continuous "
        f"codes by {M['u_change']:.3f}: this G uses z (with D's batch norm; a run with mlp-bn's D without it: "
        f"{M['z_change_before']:.3f} and {M['u_change_before']:.3f}, code accuracy {M['code_accuracy_before']:.0%}, "
        f"recall {M['recall_before']:.2f}). Steering ({M['steer_steps']} steps of section 2's climb, the codes held) "
        f"ended on the asked-for digit for {M['steer_rate']:.0%} of {M['steer_n']} start points per digit: it moves "
        f"only z, while the category keeps pulling towards its own digit. Precision / recall against {M['pr_n']:,} "
        f"test digits: {rows_en}. "
        f"The plain GAN under truncation, precision / recall: {trunc}. So truncation traded as promised only "
        f"near T = 1 (precision up, recall down from T = 1 to 0.75); pulled further in, this G's samples all "
        f"turned into one faint, blurred 9 (its image of the centre) and precision fell too. The judge's "
        f"measurement on a 6-epoch mlp-bn (`docs/figures/truncation.png`) "
        f"shows the clean trade, precision rising all the way to T = 0.1.")
    zh = (
        f"本笔记本的完整运行(不设 `NPGAN_FAST`,一个 BLAS 线程,在双核开发机上,同时还有其他工程师的训练在跑)从头到尾用了 "
        f"{M['minutes']:.0f} 分钟,其中 InfoGAN({M['model']})的 {M['epochs']} 个 epoch 用了 {M['info_minutes']:.1f} 分钟,"
        f"普通 GAN 的 {M['plain_epochs']} 个 epoch 用了 {M['plain_minutes']:.1f} 分钟;CNN 评判者(事先已缓存)认出了 "
        f"{M['judge_accuracy']:.1%} 的测试数字。之后 $Q$ 读对了 {M['q_reads']:.0%} 的新假图像的类别"
        f"(所以 $I(c; x) \\ge {M['bound']:.2f}$ 奈特,上限是 $\\log 10 = {M['log10']:.2f}$),类别编码在 10,000 个样本中有 "
        f"{M['code_accuracy']:.0%} 与评判者认出的数字一致:从各行可以看到好几个类别画了两种数字,匹配把它们算作错误。"
        f"在扫动图里,{M['sweeps_zh']}。"
        f"重新抽取 z 时像素平均移动 {M['z_change']:.3f},重新抽取两个连续编码时移动 {M['u_change']:.3f}:"
        f"这个 G 用到了 z(靠 D 的批归一化;D 没有批归一化时的一次运行:{M['z_change_before']:.3f} 和 "
        f"{M['u_change_before']:.3f},编码准确率 {M['code_accuracy_before']:.0%},召回率 {M['recall_before']:.2f})。"
        f"引导 z(第 2 节的爬坡走 {M['steer_steps']} 步,编码保持不变)时,每个数字 {M['steer_n']} 个起点中有 "
        f"{M['steer_rate']:.0%} 最终变成了要求的数字:它只移动 z,而类别一直把图像拉向它自己的数字。"
        f"对 {M['pr_n']:,} 个测试数字的精确率 / 召回率:{rows_zh}。普通 GAN 截断时的精确率 / 召回率:{trunc}。"
        f"所以截断只在 T = 1 附近兑现了它的取舍(从 T = 1 到 0.75,精确率上升、召回率下降);再往里拉,这个 G 的样本全都"
        f"变成了同一个模糊的淡 9(它画出的中心),精确率也跟着下降。评判者分支在一个训练了 6 个 epoch 的 mlp-bn 上的测量(`docs/figures/truncation.png`)"
        f"则显示了干净的取舍:精确率一直上升到 T = 0.1。")
    return en, zh


if M:
    FULL_EN, FULL_ZH = _full_run_text()

NB07 = [
    md(r"""
# Control and evaluation: InfoGAN's codes, steering z, precision and recall, truncation

![An InfoGAN's codes: a row per category of its categorical code, one continuous code swept across](../docs/figures/infogan_codes.png)

*Where we are going: codes whose meaning the generator was never told. Each row is one value of its
categorical code, each a different digit, and across, one continuous code goes from -2 to 2: the digits
widen, from narrow to wide, in every row, and none changes digit (the 8, the 7 and the 5 break up at 2, past
the training range; seed 0 of the 20-CPU-minute `mlp-bn --info` runs, 57 epochs).*

The earlier notebooks trained generators and scored them with one number, FID. This one asks two questions
the courses ask next. **Control**: can we make the generator draw what we want without giving it labels
(InfoGAN), or by steering its input $z$ with a classifier's gradient? **Evaluation**: what does a single FID
hide, and how do precision and recall (Kynkäänniemi et al., 2019) separate *how good* the samples are from
*how much of the data* they cover? The truncation trick then trades one for the other.

Everything is npgan's: the InfoGAN's head and loss (`npgan.info`), steering (`npgan.steer`), the Hungarian
matching and the k-nearest-neighbour manifolds (`npgan.metrics`), and the judge, a classifier built from
npgan's layers (`npgan.classifier`).

**Running it.** The full run trains a batch-norm MLP InfoGAN for a few epochs and uses the CNN judge (trained
once, about 1.5 minutes, and cached); 5 to 7 minutes on one core of a busy machine. `NPGAN_FAST=1` trains the
tutorial's small networks on 5,000 images for a few seconds and a quick stand-in judge (the test suite does
this): the mechanics are all there, the digits and their codes are not yet.
""", r"""
# 控制与评估:InfoGAN 的编码、引导 z、精确率与召回率、截断

![InfoGAN 的编码:类别编码的每个类别一行,横向扫过一个连续编码](../docs/figures/infogan_codes.png)

*我们的目标:生成器从没被告知含义的编码。每一行是类别编码的一个取值,每行一个不同的数字,横向是一个连续编码从 -2 到 2:
每一行的数字都从窄变宽,没有一行变成别的数字(8、7 和 5 在 2 处,即超出训练范围的地方散开了;20 个 CPU 分钟的
`mlp-bn --info` 运行中种子 0 的那次,57 个 epoch)。*

前面的笔记本训练生成器,并用一个数字 FID 给它打分。本笔记本回答课程接下来要问的两个问题。**控制**:
能不能不给标签就让生成器画出我们想要的东西(InfoGAN),或者用分类器的梯度去引导它的输入 $z$?**评估**:
一个 FID 掩盖了什么?精确率和召回率(Kynkäänniemi 等,2019)如何把样本*有多好*和样本*覆盖了多少数据*分开?
截断技巧则在两者之间做取舍。

这里的一切都来自 npgan:InfoGAN 的辅助头和损失(`npgan.info`)、引导(`npgan.steer`)、匈牙利匹配和
k 近邻流形(`npgan.metrics`),以及评判者:一个用 npgan 自己的网络层搭的分类器(`npgan.classifier`)。

**如何运行。** 完整运行训练一个带批归一化的 MLP InfoGAN 几个 epoch,并使用 CNN 评判分类器(只训练一次,
约 1.5 分钟,之后缓存);在一台繁忙机器的一个核上需要 5 到 7 分钟。设置 `NPGAN_FAST=1` 则用教程的小网络在 5,000 张图像上
训练几秒钟,并用一个快速的替身分类器(测试套件就是这样运行的):所有机制都在,只是数字和编码还没学出来。
"""),
    setup_code(
        "One BLAS thread, as in the other notebooks.",
        "NPGAN_FAST=1: small networks, a few seconds of training, a stand-in judge (the test suite does this).",
        r"""
from npgan.checkpoints import load_generator
from npgan.gradcheck import directional_derivative, relative_error
from npgan.classifier import RECIPES, features_and_logits, train_classifier
from npgan.data import load_mnist
from npgan.evaluate import code_accuracy
from npgan.gan import GANConfig, sample_z, to_unit_range
from npgan.info import info_loss, latent_rows
from npgan.losses import log_softmax, softmax
from npgan.metrics import frechet_distance, gaussian_fit, knn_radii, precision_recall
from npgan.models import build, describe
from npgan.plots import sample_grid_figure, truncation_figure
from npgan.sample import draw, path_frames, steering_paths, sweeps
from npgan.steer import arrival_steps, latent_gradient, log_probabilities
from npgan.train import train
from IPython.display import display
"""),
    md(r"""
## The data and the judge

Every figure below asks a classifier what it sees: which digit, and where an image lies in its feature
space (the activations its last layer reads). The full run uses npgan's reference judge, a small CNN
(`npgan.evaluate.Evaluator`, 99.3% on the test digits); fast mode trains a stand-in in seconds, the MLP
judge's network for one epoch on 10,000 images.
""", r"""
## 数据和评判者

下面的每一个数字都要问一个分类器看到了什么:是哪个数字,以及图像在它的特征空间里的位置(它最后一层读入的激活值)。
完整运行使用 npgan 的参考评判者,一个小 CNN(`npgan.evaluate.Evaluator`,测试集正确率 99.3%);
快速模式在几秒钟内训练一个替身:MLP 评判者的网络,在 10,000 张图像上训练一个 epoch。
"""),
    code(r"""
images, labels = load_mnist("train", data_dir=DATA_DIR, download=DOWNLOAD)
test_images, test_labels = load_mnist("test", data_dir=DATA_DIR, download=DOWNLOAD)

if FAST:
    judge = train_classifier(images[:10000], labels[:10000], {**RECIPES["mlp"], "epochs": 1})
else:
    from npgan.evaluate import Evaluator
    judge = Evaluator("mnist", DATA_DIR, download=DOWNLOAD).net
judge.eval()


def judge_sees(x):
    # (features, class probabilities) of images x (n, 784) in [-1, 1]
    features, logits = features_and_logits(judge, x)
    return features, softmax(logits)


test_features, test_probabilities = judge_sees(to_unit_range(test_images))
print(f"the judge recognises {np.mean(test_probabilities.argmax(axis=1) == test_labels):.1%} of the 10,000 test digits")
"""),
    md(r"""
## 1. InfoGAN: codes that find the digits without labels

A GAN's $z$ is entangled: no single coordinate means "which digit" or "how slanted". InfoGAN (Chen et al.,
2016) appends **codes** to $z$: a categorical code $c$ (one of 10, one-hot) and two continuous codes
$u \sim \mathrm{Uniform}(-1, 1)$, and asks that they stay *readable* from the image. An auxiliary head $Q$
reads them back from each fake: 10 logits for $c$ and 2 estimates of $u$. $G$ and $Q$ minimise, besides
the GAN losses,

$$L_I = \underbrace{-\log Q(c \mid x)}_{\text{cross-entropy}} + \tfrac12\,\lVert Q_u(x) - u\rVert^2, \qquad x = G(z, c, u).$$

Why this is "mutual information": $I(c; x) = H(c) - H(c \mid x)$, and for *any* $Q$,
$H(c \mid x) \le \mathbb{E}[-\log Q(c \mid x)]$ (a cross-entropy is never below the entropy). So
$I(c; x) \ge \log 10 - \text{(cross-entropy)}$: a variational lower bound that rises as $Q$ reads $c$
better, and $Q$ can only read what $G$ wrote into the image. The squared error is $-\log$ of a unit
Gaussian $Q(u \mid x)$ up to a constant: the same bound for $u$. Nothing says *which* meaning a code takes;
on MNIST the easiest way to make ten categories readable is to draw ten different digits.

$Q$ shares all of $D$'s body: it is 10 + 2 more outputs of $D$'s last layer, so $D$ outputs
$[\text{real/fake logit} \mid 10 \text{ logits} \mid 2 \text{ estimates}]$ and $Q$'s backward pass is that
layer's ($\partial L / \partial W = h^\top\, \partial L / \partial y$ on the body's features $h$). Its
gradient on the outputs is the softmax cross-entropy's and the half square's:
""", r"""
## 1. InfoGAN:不用标签就找到数字的编码

GAN 的 $z$ 是纠缠在一起的:没有哪一个坐标单独表示“哪个数字”或“倾斜多少”。InfoGAN(Chen 等,2016)在 $z$
后面拼上**编码**:一个类别编码 $c$(10 选 1,one-hot)和两个连续编码 $u \sim \mathrm{Uniform}(-1, 1)$,
并要求它们能从图像中*读回来*。一个辅助头 $Q$ 从每张假图像中把它们读回:给 $c$ 的 10 个 logit,和对 $u$ 的 2 个估计。
除了 GAN 的损失,$G$ 和 $Q$ 还要最小化

$$L_I = \underbrace{-\log Q(c \mid x)}_{\text{交叉熵}} + \tfrac12\,\lVert Q_u(x) - u\rVert^2, \qquad x = G(z, c, u).$$

为什么这就是“互信息”:$I(c; x) = H(c) - H(c \mid x)$,而对*任何* $Q$ 都有
$H(c \mid x) \le \mathbb{E}[-\log Q(c \mid x)]$(交叉熵从不低于熵)。所以
$I(c; x) \ge \log 10 - \text{(交叉熵)}$:这是一个变分下界,$Q$ 把 $c$ 读得越准它就越高,而 $Q$ 只能读出 $G$
写进图像里的东西。平方误差在相差一个常数的意义下就是单位高斯 $Q(u \mid x)$ 的 $-\log$:对 $u$ 是同样的下界。
没有任何东西规定编码取*哪种*含义;在 MNIST 上,让十个类别可读的最容易的办法,就是画十个不同的数字。

$Q$ 共享 $D$ 的整个主体:它只是 $D$ 最后一层多出来的 10 + 2 个输出,所以 $D$ 输出
$[\text{真/假 logit} \mid 10 \text{ 个 logit} \mid 2 \text{ 个估计}]$,$Q$ 的反向传播就是这一层的反向传播
(在主体特征 $h$ 上,$\partial L / \partial W = h^\top\, \partial L / \partial y$)。它对输出的梯度就是
softmax 交叉熵的梯度和半平方的梯度:
"""),
    code(r"""
rng = np.random.default_rng(0)
c, u = np.array([3, 1, 4, 1]), sample_z(rng, 4, 2)
codes = latent_rows(np.zeros((4, 0), np.float32), c, u, 10)    # (4, 12): one-hot c, then u

blind = np.zeros((4, 12), np.float32)                          # Q knows nothing: uniform over c, guesses u = 0
reader = codes.copy()
reader[:, :10] *= 20                                           # Q reads c (a large logit) and u exactly
for name, outputs in [("Q knows nothing", blind), ("Q reads the codes", reader)]:
    loss, _ = info_loss(outputs, codes, 10)
    cross_entropy, _ = info_loss(outputs[:, :10], codes[:, :10], 10)    # the categorical term alone
    bound = round(np.log(10) - cross_entropy, 3) + 0.0                      # + 0.0: no "-0.000"
    print(f"{name:18}  L_I = {loss:.3f};  I(c; x) >= log 10 - CE = {bound:.3f} nats")
_, grad = info_loss(blind, codes, 10)
print("blind Q's gradient on row 0's logits, times N:", np.round(4 * grad[0, :10], 2), "(softmax - one-hot c)")
"""),
    md(r"""
### Training a small InfoGAN

`GANConfig(info=True)` appends the codes to $z$ and $Q$ to $D$; `npgan.train.train` runs the same loop as
`python -m npgan.train --info` (and writes the same files). The full run trains the batch-norm MLP
(`mlp-bn`); fast mode the tutorial's networks on 5,000 images.

On `mlp-bn`, `--info` has $Q$ read the codes of a quarter of each batch's fakes from *augmented copies*
(`--info-augment 0.25`, `npgan.augment`): each copy randomly thickened or thinned, sheared, rotated, scaled
and shifted, which $D$ judges in the same pass as the real images and the fakes (its batch norm takes each
group as a batch of its own), with the gradient carried back through the augmentation into $G$.
Why: $L_I$ only asks that $Q$ can read $c$ back, and stroke width, slant and position are as readable as the
digit, so without it a category often splits a pair of digits by style (thick 4s and thin 9s). Through the
copies only what survives those changes can carry $c$: the digit.

This short run trains with Adam, which gets further in its first ten epochs; `--info`'s own optimizer on
`mlp-bn` is RMSprop, which does as well in twenty minutes at 5% less time an epoch (README, InfoGAN).
""", r"""
### 训练一个小 InfoGAN

`GANConfig(info=True)` 把编码拼到 $z$ 后面,把 $Q$ 加到 $D$ 上;`npgan.train.train` 运行的循环和
`python -m npgan.train --info` 相同(也写出同样的文件)。完整运行训练带批归一化的 MLP(`mlp-bn`);
快速模式在 5,000 张图像上训练教程的网络。

在 `mlp-bn` 上,`--info` 让 $Q$ 从每批假图像中四分之一的*增强副本*读编码(`--info-augment 0.25`,`npgan.augment`):
每个副本随机加粗或变细、错切、旋转、缩放和平移,$D$ 在判断真实图像和假图像的同一遍里判断它们(它的批归一化把每组各自当作一个批次),
梯度穿过增强传回 $G$。原因:$L_I$ 只要求 $Q$
能读回 $c$,而笔画粗细、倾斜和位置和数字一样容易读出,所以不加增强时一个类别常常按风格把两个数字分开
(粗的 4 和细的 9)。通过副本,只有经得起这些变化的东西才能携带 $c$:那就是数字。

这次短训练用 Adam,它在前十个 epoch 里走得更远;`mlp-bn` 上 `--info` 自己的优化器是 RMSprop,
它在二十分钟里做得一样好,每个 epoch 少花 5% 的时间(README 的 InfoGAN 一节)。
"""),
    code(r"""
model = "tutorial" if FAST else "mlp-bn"
config = GANConfig.for_model(model, info=True, optimizer="adam", epochs=4 if FAST else 10, seed=0)
train_rows = slice(5000, 10000) if FAST else slice(5000, None)   # TF1's training images (5,000 on)
start = time.perf_counter()
run = train(images[train_rows], config, OUT_DIR / "infogan", progress=False)
train_seconds = time.perf_counter() - start
print(f"{config.epochs} epochs in {train_seconds:.0f} s; D's last layer: {run.gan.D.layers[-1].params['W'].shape} "
      f"(1 real/fake logit + {config.info_categories} category logits + {config.info_continuous} code estimates)")
"""),
    md(r"""
How much does $Q$ now read? On fresh fakes: the lower bound $\log 10 - \text{CE}$ on $I(c; x)$ (at most
$\log 10 = 2.30$ nats), and the squared error of $Q$'s estimates of $u$ against a blind guess of 0, whose mean
square is $\mathrm{Var}(u) = 1/3$.
""", r"""
$Q$ 现在能读出多少?在新的假图像上看:$I(c; x)$ 的下界 $\log 10 - \text{CE}$(最多 $\log 10 = 2.30$ 奈特),
以及 $Q$ 对 $u$ 的估计的平方误差,和盲猜 0 相比(盲猜的均方误差是 $\mathrm{Var}(u) = 1/3$)。
"""),
    code(r"""
gan = run.gan
latent = gan.sample_latent(np.random.default_rng(1), 2000)         # [z | one-hot c | u]
c, u = latent[:, config.z_size:config.z_size + 10].argmax(axis=1), latent[:, config.z_size + 10:]
q = gan.D.forward(gan.generate(latent))[:, 1:]                    # Q's outputs: 10 logits, 2 estimates
cross_entropy = -np.mean(log_softmax(q[:, :10])[np.arange(len(c)), c])
print(f"I(c; x) >= log 10 - CE = {np.log(10):.2f} - {cross_entropy:.2f} = {np.log(10) - cross_entropy:.2f} nats")
print(f"Q reads c right (its top logit) for {np.mean(q[:, :10].argmax(axis=1) == c):.0%} of the fakes")
print("mean squared error of Q's estimates of u, per code:", np.round(np.mean((q[:, 10:] - u) ** 2, axis=0), 3),
      "(a blind guess: 0.333)")
"""),
    md(r"""
### A row per category

Load the saved generator and draw 8 latent vectors, the same 8 in every row, with the categorical code set
to 0, 1, ..., 9 (`python -m npgan.sample --checkpoint out/infogan/generator.npz --code K`). If the code
found the digits, each row is one digit, in the order the code chose, not 0 to 9.
""", r"""
### 每个类别一行

载入保存的生成器,抽取 8 个潜在向量(每一行都用同样的 8 个),把类别编码依次设为 0、1、……、9
(`python -m npgan.sample --checkpoint out/infogan/generator.npz --code K`)。如果编码找到了数字,
每一行就是一个数字,顺序是编码自己选的,而不是 0 到 9。
"""),
    code(r"""
G_saved, meta = load_generator(OUT_DIR / "infogan" / "generator.npz")
print(f"z_size {meta['z_size']}, categorical code {meta['categorical']}, continuous codes {meta['continuous']}")
code_rows = np.concatenate([draw(G_saved, meta, 8, seed=2, code=k)[0] for k in range(meta["categorical"])])
sample_grid_figure(code_rows, meta["categorical"], 8, title="Row k: categorical code k (same z and u per column)")
"""),
    md(r"""
### The continuous codes

Each row below keeps $z$ and $c$ and moves one continuous code from $-2$ to $2$, past the training range
$[-1, 1]$, as the paper's figure does (`--sweep-code J`). In the paper one code learnt the slant and the
other the width of the stroke; nothing forces that, so look at what each row does, and say it honestly.
""", r"""
### 连续编码

下面每一行保持 $z$ 和 $c$ 不变,把一个连续编码从 $-2$ 移到 $2$,超出训练时的范围 $[-1, 1]$,和论文里的图一样
(`--sweep-code J`)。论文里一个编码学到了倾斜,另一个学到了笔画粗细;没有什么强制它这样,
所以请看每一行实际在变什么,如实描述。
"""),
    code(r"""
for j in range(meta["continuous"]):
    display(sample_grid_figure(sweeps(G_saved, meta, rows=6, steps=9, seed=3, index=j), 6, 9,
                               title=f"continuous code {j} from -2 to 2, a row per z and category"))
"""),
    md(r"""
### Code accuracy: matching codes to digits

The code names its categories in an order of its own, so "accuracy" needs a renaming first. Draw samples with
each code in turn, let the judge label them, and count: `counts[i, j]` = samples of code $i$ the judge calls
$j$. The code accuracy is the share of samples agreeing under the **best one-to-one renaming** of codes to
digits, the same score used for clustering.

Trying every renaming means $10! = 3.6$ million of them. The **Hungarian algorithm** (Kuhn, 1955) finds the
best in $O(n^3)$ steps: turn it into a minimum-cost assignment (cost $= -$counts), keep a *potential* per
row $u_i$ and per column $v_j$ with every reduced cost $\text{cost}_{ij} - u_i - v_j \ge 0$, add the rows
one at a time along the cheapest alternating path (Dijkstra on reduced costs), and shift the potentials so
that the matched cells keep reduced cost 0. A matching made only of zero-reduced-cost cells is optimal,
since every matching costs $\sum u + \sum v$ plus its reduced costs, which are never negative.
`npgan.metrics.best_matching` writes it out; `npgan.evaluate` reports the result as "code accuracy".
""", r"""
### 编码准确率:把编码和数字配对

编码按自己的顺序给类别命名,所以计算“准确率”之前要先重新命名。依次用每个编码抽样,让评判者给它们贴标签,
然后计数:`counts[i, j]` = 编码 $i$ 的样本中被评判者认作 $j$ 的个数。编码准确率是在编码到数字的
**最佳一一对应**下一致的样本所占的比例,和聚类的评分方式一样。

把每一种重命名都试一遍需要 $10! = 360$ 万次。**匈牙利算法**(Kuhn,1955)只需 $O(n^3)$ 步就能找到最佳的:
把它变成最小代价指派(代价 $= -$计数),给每一行一个*势* $u_i$、每一列一个势 $v_j$,保持每个约化代价
$\text{cost}_{ij} - u_i - v_j \ge 0$;每次加入一行,沿最便宜的交错路径(在约化代价上做 Dijkstra)增广,
并调整势,使已配对格子的约化代价保持为 0。只由约化代价为 0 的格子组成的匹配是最优的,因为任何匹配的代价都是
$\sum u + \sum v$ 加上它的约化代价,而约化代价从不为负。`npgan.metrics.best_matching` 把它写了出来;
`npgan.evaluate` 把结果报告为“编码准确率”(code accuracy)。
"""),
    code(r"""
code_samples, codes = draw(G_saved, meta, 1000 if FAST else 10000, seed=4)   # the categories in turn
called = judge_sees(code_samples)[1].argmax(axis=1)
counts = np.zeros((10, 10), dtype=int)
np.add.at(counts, (codes, called), 1)
accuracy, matching = code_accuracy(called, codes, 10, 10)
print(f"code accuracy under the best matching: {accuracy:.1%}   (code -> digit: {matching})")
print(f"under the identity (code k = digit k): {np.trace(counts) / counts.sum():.1%}; "
      f"10 codes to 10 digits, 10! = {np.prod(np.arange(1, 11)):,} matchings to try by brute force")

order = np.argsort(matching)                   # codes sorted by their digit: the matched cells on the diagonal
fig, ax = plt.subplots(figsize=(5, 4.2))
ax.imshow(counts[order], cmap="Blues")
ax.set(xticks=range(10), yticks=range(10), yticklabels=order, xlabel="digit the judge sees",
       ylabel="categorical code", title="counts, codes in their matched order")
plt.show()
"""),
    md(r"""
## 2. Steering $z$ by gradient

Training moves *weights* down a loss's gradient. The same backward passes give the gradient with respect to
the *input* too, so we can move $z$ instead. Chain the generator and the judge:

$$z \xrightarrow{G} x \xrightarrow{\text{judge}} \text{logits } l \to \log p(d \mid x) = l_d - \log\textstyle\sum_k e^{l_k}.$$

$\partial \log p / \partial l = e_d - \mathrm{softmax}(l)$; the judge's backward pass (weights fixed) turns it
into $\partial \log p / \partial x$, and $G$'s into $\partial \log p / \partial z$. Every layer's `backward`
returns the gradient of its input: that is all it takes. First, check it against finite differences along a
random direction of $z$ (the codes stay put):
""", r"""
## 2. 用梯度引导 $z$

训练是让*权重*沿损失的梯度下降。同样的反向传播也能给出对*输入*的梯度,所以我们也可以去移动 $z$。
把生成器和评判者串起来:

$$z \xrightarrow{G} x \xrightarrow{\text{评判者}} \text{logits } l \to \log p(d \mid x) = l_d - \log\textstyle\sum_k e^{l_k}.$$

$\partial \log p / \partial l = e_d - \mathrm{softmax}(l)$;评判者的反向传播(权重固定)把它变成
$\partial \log p / \partial x$,$G$ 的反向传播再把它变成 $\partial \log p / \partial z$。每一层的 `backward`
都返回对其输入的梯度:这就够了。先沿 $z$ 的一个随机方向,用有限差分验证它(编码保持不变):
"""),
    code(r"""
def in_float64(net):
    # the same network in float64: float32's rounding (1e-7) would swamp finite differences
    twin = build(describe(net), dtype=np.float64)
    for (_, mine, _), (_, theirs, _) in zip(twin.parameters(), net.parameters()):
        mine[...] = theirs
    for key, buffer in net.buffers.items():
        twin.buffers[key][...] = buffer
    return twin.eval()


G64, judge64 = in_float64(G_saved), in_float64(judge)
digit, rng = 7, np.random.default_rng(5)
latent = latent_rows(sample_z(rng, 8, meta["z_size"], np.float64), np.arange(8), sample_z(rng, 8, 2, np.float64),
                     meta["categorical"])
gradient = latent_gradient(G64, judge64, log_probabilities(judge64, G64.forward(latent)), digit)
direction = np.zeros_like(latent)
direction[:, :meta["z_size"]] = rng.standard_normal((8, meta["z_size"]))          # z only: the codes stay put
numerical = directional_derivative(lambda: log_probabilities(judge64, G64.forward(latent))[:, digit].sum(),
                                   latent, direction)
analytic = np.sum(gradient * direction)
print(f"directional derivative of the sum of log p({digit}): backprop {analytic:.8f}, "
      f"finite differences {numerical:.8f}")
print("backprop's d log p / dz matches finite differences:", relative_error(analytic, numerical) < 1e-6)
"""),
    md(r"""
Now climb. `npgan.steer.steer` climbs the judge's *margin* $l_d - \max_{j \ne d} l_j$ (positive exactly when
the judge's top class is $d$; its gradient in the logits is $e_d - e_j$, the same backward passes as above)
with npgan's own Adam (Adam scales each coordinate by its own gradient's size, so every coordinate moves,
not only the few with large gradients), and clips $z$ back into $[-1, 1]$ after each step: $G$ never saw a
$z$ outside that box. The slope at $z$ alone traps many paths (an image that turns into a thin 1, a little
more 4-like at every step, with no 4 nearby), so each step averages the gradient at 4 points
$z + s\,(u - z)$ towards random points $u$ of the box, $s$ shrinking from 1 to 0 over the steps: a direction
good over much of the latent space first, the slope at $z$ itself at the end (the README's table: on the
R1 `mlp-bn`, 72% of the worst digit's paths arrived before, 97% now). Each row is one start $z$, left to
right until the judge gives the digit a probability of 0.9 (`python -m npgan.sample --checkpoint ... --steer 7`):
""", r"""
现在开始爬坡。`npgan.steer.steer` 让评判者的*间隔* $l_d - \max_{j \ne d} l_j$ 上升(恰好在评判者的最高类是 $d$
时为正;它对 logits 的梯度是 $e_d - e_j$,反向传播与上面相同),用 npgan 自己的 Adam(Adam 按每个坐标自己梯度的
大小来缩放,所以每个坐标都会动,而不只是梯度大的那几个),每一步之后把 $z$ 裁剪回 $[-1, 1]$:$G$ 从没见过这个
方框之外的 $z$。只看 $z$ 处的斜率会困住许多路径(图像变成一条细细的 1,每一步都更像 4 一点,附近却没有 4),
所以每一步把梯度取在朝方框内随机点 $u$ 的 4 个点 $z + s\,(u - z)$ 上再平均,$s$ 随步数从 1 缩小到 0:先是在
潜在空间大部分地方都好的方向,最后才是 $z$ 处自身的斜率(README 的表格:在 R1 的 `mlp-bn` 上,最差数字的路径
到达的比例从 72% 升到 97%)。每一行是一个起点 $z$,从左到右直到评判者给这个数字的概率达到 0.9
(`python -m npgan.sample --checkpoint ... --steer 7`):
"""),
    code(r"""
steps = 20 if FAST else 50
paths, path_log_p, predicted = steering_paths(G_saved, meta, judge, 6, steps, seed=6, digit=digit)
arrived_at = arrival_steps(path_log_p >= np.log(0.9))           # first step with p(digit) >= 0.9 (-1: never)
print(f"mean log p({digit}) of the 6 paths: {path_log_p[0].mean():.2f} at the start, "
      f"{path_log_p[-1].mean():.2f} after {steps} steps")
print(f"step at which each path reaches p({digit}) >= 0.9 (-1: never):", arrived_at)
sample_grid_figure(path_frames(paths, arrived_at, rows=6, cols=10), 6, 10,
                   title=f"z steered towards a {digit}, one row per start z")
"""),
    md(r"""
How often does it get there? From random start points for every digit, the share whose last image the judge
calls the asked-for digit:
""", r"""
它有多经常能到达?对每个数字从随机起点出发,看最后一张图像被评判者认作要求数字的比例:
"""),
    code(r"""
starts = 5 if FAST else 20
arrived = np.array([np.mean(steering_paths(G_saved, meta, judge, starts, steps, seed=10 + d, digit=d)[2][-1] == d)
                    for d in range(10)])
print(f"{arrived.mean():.0%} of {starts} start points per digit end as the asked-for digit after {steps} steps;",
      "per digit:", np.round(arrived, 2))
fig, ax = plt.subplots(figsize=(7, 2.8))
ax.bar(range(10), arrived)
ax.set(xticks=range(10), ylim=(0, 1), xlabel="digit steered towards", ylabel="end image is that digit")
plt.show()
"""),
    md(r"""
A judge's gradient can also be fooled: the steps may reach images the judge calls a 7 that a person would
not. Keeping $z$ in $G$'s box keeps the images $G$-like; the rows show how far that goes.

## 3. Precision and recall: quality and coverage, apart

FID fits one Gaussian to the real features and one to the samples' and measures how far apart they are: a
worse FID may mean bad samples, or good samples of too few kinds. **Precision and recall** (Kynkäänniemi et
al., 2019) tell them apart with k-nearest-neighbour manifolds. Around every real point put a ball reaching
its $k$-th nearest real neighbour ($k = 3$); the union of the balls estimates where real data lives.
Likewise for the samples. Then

- **precision** = share of samples inside the real manifold: *are the samples realistic?*
- **recall** = share of real points inside the samples' manifold: *is all of the data covered?*

First on points in the plane: four real clusters, and a generator that covers only one of them well.
""", r"""
评判者的梯度也可能被骗:这些步骤可能走到评判者认作 7、人却不会这么认为的图像。把 $z$ 限制在 $G$ 的方框里,
能让图像保持像 $G$ 画的;上面各行显示了这能做到什么程度。

## 3. 精确率与召回率:把质量和覆盖分开

FID 给真实特征拟合一个高斯分布,给样本特征拟合另一个,再量两者相距多远:FID 变差,可能是样本不好,
也可能是样本很好但种类太少。**精确率和召回率**(Kynkäänniemi 等,2019)用 k 近邻流形把两者分开。
在每个真实点周围放一个球,半径到它第 $k$ 个最近的真实邻居($k = 3$);这些球的并集估计了真实数据所在的地方。
样本也一样。然后

- **精确率** = 落在真实流形里的样本的比例:*样本逼真吗?*
- **召回率** = 落在样本流形里的真实点的比例:*数据都被覆盖了吗?*

先在平面上的点看:四个真实的簇,和一个只把其中一个簇覆盖得很好的生成器。
"""),
    code(r"""
rng = np.random.default_rng(7)
centres = np.array([[-2, -2], [-2, 2], [2, -2], [2, 2]], np.float32)
real_2d = (centres[rng.integers(4, size=200)] + 0.5 * rng.standard_normal((200, 2))).astype(np.float32)
one_cluster = (centres[3] + 0.5 * rng.standard_normal((200, 2))).astype(np.float32)
everywhere = rng.uniform(-4, 4, (200, 2)).astype(np.float32)
for name, fake in [("covers one cluster", one_cluster), ("uniform over the square", everywhere)]:
    precision, recall = precision_recall(real_2d, fake, k=3)
    print(f"{name:24} precision {precision:.2f}, recall {recall:.2f}")


def balls(ax, points, colour):
    # each point's k-NN ball (knn_radii gives squared radii)
    for (x, y), r2 in zip(points, knn_radii(points, k=3)):
        ax.add_patch(plt.Circle((x, y), np.sqrt(r2), color=colour, alpha=0.12, lw=0))


fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.8))
balls(left, real_2d, "tab:blue")
left.scatter(*real_2d.T, s=4, c="tab:blue", label="real")
left.scatter(*one_cluster.T, s=6, c="tab:red", label="samples")
left.set_title("precision: samples inside the real balls")
balls(right, one_cluster, "tab:red")
right.scatter(*real_2d.T, s=4, c="tab:blue", label="real")
right.scatter(*one_cluster.T, s=6, c="tab:red", label="samples")
right.set_title("recall: real points inside the samples' balls")
for ax in (left, right):
    ax.set(xlim=(-4.5, 4.5), ylim=(-4.5, 4.5), aspect="equal")
    ax.legend(loc="lower left", fontsize=8)
plt.show()
"""),
    md(r"""
The one-cluster generator is precise (its points sit inside real balls) and has low recall (three clusters of
real points lie outside its balls): about a quarter. Points spread uniformly are the opposite kind of bad.

### On digits, in the judge's features

Now the same on MNIST, each set against as many held-out test digits, in the judge's feature space:
real training digits; only the 1s; half real digits and half uniform noise; real digits blurred by a 3×3 box;
and the InfoGAN's samples. Beside each, FID on the same features and images.
""", r"""
只覆盖一个簇的生成器很精确(它的点都落在真实的球里),召回率却很低(另外三个簇的真实点都在它的球外面):
大约四分之一。均匀散开的点则是另一种坏法。

### 在数字上,用评判者的特征

现在在 MNIST 上做同样的事,每一组都和同样多的留出测试数字比较,在评判者的特征空间里:
真实的训练数字;只有 1;一半真实数字一半均匀噪声;用 3×3 方框模糊过的真实数字;以及 InfoGAN 的样本。
每一组旁边给出在同样的特征和图像上计算的 FID。
"""),
    code(r"""
n = 1000 if FAST else 5000
rng = np.random.default_rng(8)
real = to_unit_range(images[:n])
ones = to_unit_range(images[labels == 1][:n])
half_noise = np.concatenate([real[:n // 2], rng.uniform(-1, 1, (n - n // 2, 784)).astype(np.float32)])
padded = np.pad(real.reshape(n, 28, 28), ((0, 0), (1, 1), (1, 1)), constant_values=-1)
blurred = sum(padded[:, i:i + 28, j:j + 28] for i in range(3) for j in range(3)).reshape(n, 784) / 9
sets = {"real (held out)": real, "only 1s": ones, "half noise": half_noise, "blurred": blurred,
        "InfoGAN samples": draw(G_saved, meta, n, seed=9)[0]}

reference = test_features[:n]
reference_fit = gaussian_fit(reference)
scores = {}
for name, x in sets.items():
    features = judge_sees(x)[0]
    fid = frechet_distance(*reference_fit, *gaussian_fit(features))
    scores[name] = (*precision_recall(reference, features, k=3), fid)
    print(f"{name:16} precision {scores[name][0]:.2f}   recall {scores[name][1]:.2f}   FID {scores[name][2]:7.1f}")

fig, ax = plt.subplots(figsize=(9, 3))
width = 0.38
ax.bar(np.arange(len(scores)) - width / 2, [s[0] for s in scores.values()], width, label="precision")
ax.bar(np.arange(len(scores)) + width / 2, [s[1] for s in scores.values()], width, label="recall")
ax.set(xticks=range(len(scores)), xticklabels=list(scores), ylim=(0, 1), title=f"k = 3, {n:,} images a set")
ax.legend()
plt.show()
"""),
    md(r"""
What to read off, run by run (the numbers above are this run's):

- **Real digits** score high on both, but not 1: with $k = 3$ the balls of a finite set miss some of the
  true manifold, so precision and recall *underestimate* and only compare between sets of the same size.
- **Only 1s**: precision stays high (every 1 is a real-looking digit), recall drops to about a tenth (one
  class of ten covered). FID only says "far".
- **Half noise**: precision falls (the noise lies off the manifold; by less than half with the CNN judge,
  whose features put some noise images inside real balls) while recall stays near real's (the real half
  still covers everything). FID also says "far", for the opposite reason.
- **Blurred** digits stay recognisable: in the CNN judge's features they keep their precision and lose
  recall (they are typical digits, but no longer cover the sharp variety).
- **The InfoGAN's samples**: in the full run, precision near real's and a far better FID than the plain GAN
  of section 4, but recall only about an eighth of real's after 10 epochs: Q's reading through augmented
  copies makes the start slower (without it, 0.29 here), and longer runs catch up (the README's
  20-CPU-minute runs). With mlp-bn's D as it is without codes (no batch norm) the same run had recall 0.00:
  the next cell shows why.

Two sets can share an FID and fail in opposite ways; precision and recall say which.
""", r"""
怎样解读(上面的数字是这一次运行的):

- **真实数字**两项都高,但不到 1:$k = 3$ 时有限集合的球会漏掉真实流形的一部分,所以精确率和召回率都会*低估*,
  只能在同样大小的集合之间比较。
- **只有 1**:精确率仍然很高(每个 1 都是逼真的数字),召回率降到大约十分之一(十个类别只覆盖了一个)。
  FID 只会说“很远”。
- **一半噪声**:精确率下降(噪声在流形之外;用 CNN 评判者时降得不到一半,它的特征把一些噪声图像放进了真实的球里),
  召回率则接近真实数据的(真实的那一半仍然覆盖了一切)。FID 也说“很远”,原因却正好相反。
- **模糊的**数字仍然认得出来:在 CNN 评判者的特征里,它们保持精确率、失去召回率(它们是典型的数字,
  却不再覆盖清晰数字的多样性)。
- **InfoGAN 的样本**:在完整运行中,精确率接近真实数据,FID 远好于第 4 节的普通 GAN,但训练 10 个 epoch 后召回率只有真实数据的八分之一左右:$Q$ 通过增强副本读编码让开头慢了一些(不加增强时这里是 0.29),训练更久就追上来了(见 README 中 20 个 CPU 分钟的训练)。若 mlp-bn 的 D 保持没有编码时的样子(没有批归一化),同样的运行召回率是 0.00:下一个单元说明原因。

两个集合可以有同样的 FID,却以相反的方式失败;精确率和召回率能说出是哪一种。
"""),
    md(r"""
### Does the InfoGAN use $z$?

Redraw $z$ and keep the codes, then redraw the two continuous codes and keep $z$, and measure how far the
pixels move. If $z$ barely matters, $G$ draws from its 12 code values alone: $L_I$ rewards codes that $Q$
can read back, and nothing in it rewards using $z$. The samples then lie on a thin sheet, whose k-NN balls
are tiny and cover almost no real digit (recall near 0), while every sample still looks like a digit
(precision) and their mean and covariance stay close to real's (FID). That is what an InfoGAN on mlp-bn did
while its D judged one image at a time (z moved the pixels by 0.04, recall 0.00): nothing there sees that
all the images of a code look alike. So `--info` gives mlp-bn's D a batch norm, as the paper's D has: D then
judges a whole fake batch by its statistics, and a batch of near-copies is told from a real one. (It also
shrinks z to 16 values and the continuous codes' weight to 0.1: the codes' defaults for mlp-bn.)
Section 4 still uses a plain GAN: its $z$ is all it has.
""", r"""
### InfoGAN 用到 $z$ 了吗?

保持编码、重新抽取 $z$,再保持 $z$、重新抽取两个连续编码,量一量像素各移动了多少。如果 $z$ 几乎不起作用,
$G$ 就只靠 12 个编码值作画:$L_I$ 奖励 $Q$ 能读回的编码,却没有任何一项奖励用到 $z$。这时样本落在一张薄薄的
“纸”上,它们的 k 近邻球非常小,几乎盖不住任何真实数字(召回率接近 0),而每个样本看起来仍然是数字(精确率),
它们的均值和协方差也仍然接近真实数据(FID)。当 mlp-bn 上的 InfoGAN 的 D 一次只看一张图时,情形正是如此
(z 让像素平均只移动 0.04,召回率 0.00):那里没有任何东西能看出同一编码的图全都一个样。所以 `--info` 给 mlp-bn
的 D 加上批归一化,和论文的 D 一样:D 于是按整批假图像的统计量来判断,一批几乎相同的图像就和一批真实图像区分开了。
(它还把 z 缩小到 16 个值,把连续编码的权重降到 0.1:这是 mlp-bn 上编码的默认设置。)第 4 节仍然使用普通的 GAN:
它只有 $z$。
"""),
    code(r"""
rng = np.random.default_rng(12)
c, z, u = rng.integers(10, size=1000), sample_z(rng, 1000, meta["z_size"]), sample_z(rng, 1000, 2)
base = G_saved.forward(latent_rows(z, c, u, 10))
new_z = G_saved.forward(latent_rows(sample_z(rng, 1000, meta["z_size"]), c, u, 10))
new_u = G_saved.forward(latent_rows(z, c, sample_z(rng, 1000, 2), 10))
print(f"mean |pixel change| when z ({meta['z_size']} values) is redrawn: {np.abs(new_z - base).mean():.3f}; "
      f"when u (2 values) is redrawn: {np.abs(new_u - base).mean():.3f}")
"""),
    md(r"""
## 4. Truncation: precision for recall

Truncation acts on $z$, so it needs a generator that uses $z$: the tutorial's plain GAN (no codes), trained
here as `python -m npgan.train` would (fast mode: briefly).

The **truncation trick** (Brock et al., 2019, BigGAN) draws $z$ nearer the centre of the latent space,
hoping that $G$ maps the centre to its most typical images. npgan's $z$ is $\mathrm{Uniform}(-1, 1)$:
redrawing every value beyond $T$ until it lands inside leaves it $\mathrm{Uniform}(-T, T)$, the same as
scaling by $T$, which is what `draw(..., truncation=T)` does (`--truncation T` in `npgan.sample` and
`npgan.evaluate`); an InfoGAN's codes would be left alone. The same seed gives the same directions at every
$T$: the rows below are the same samples pulled towards the centre. As $T$ tightens, samples should get more
typical (precision up) and less varied (recall down). But pulled too far, $z$ leaves the region $G$ was
trained on: in 100 dimensions a uniform $z$ almost always has a length near $\sqrt{100/3} \approx 5.8$, and
$T = 0.25$ gives about 1.4, lengths $G$ never saw. Then the images may break, or all turn into one faint
average digit, and precision falls as well. Which happens where depends on the generator: measure it.
""", r"""
## 4. 截断:用召回率换精确率

截断作用在 $z$ 上,所以需要一个用到 $z$ 的生成器:教程里普通的 GAN(没有编码),在这里像
`python -m npgan.train` 那样训练(快速模式只训练一小会儿)。

**截断技巧**(Brock 等,2019,BigGAN)让 $z$ 更靠近潜在空间的中心,希望 $G$ 把中心映射成它最典型的图像。npgan 的 $z$ 是
$\mathrm{Uniform}(-1, 1)$:把每个超出 $T$ 的值重新抽取直到落在里面,结果是 $\mathrm{Uniform}(-T, T)$,
和乘以 $T$ 一样,`draw(..., truncation=T)` 就是这样做的(`npgan.sample` 和 `npgan.evaluate` 的 `--truncation T`);
InfoGAN 的编码则会保持不变。同一个种子在每个 $T$ 下给出同样的方向:下面各行是同一批样本被拉向中心。
$T$ 越紧,样本应当越典型(精确率上升),越缺少变化(召回率下降)。但拉得太远,$z$ 就离开了 $G$ 训练过的区域:
在 100 维里,均匀分布的 $z$ 的长度几乎总在 $\sqrt{100/3} \approx 5.8$ 附近,而 $T = 0.25$ 给出的长度约为 1.4,
这是 $G$ 从没见过的长度。这时图像可能坏掉,或者全都变成同一个模糊的平均数字,精确率也跟着下降。在哪里发生哪一种,取决于生成器:要去测量。
"""),
    code(r"""
plain_config = GANConfig(epochs=2 if FAST else 30, seed=0)
start = time.perf_counter()
train(images[train_rows], plain_config, OUT_DIR / "plain", progress=False, log=lambda line: None)
G_plain, plain_meta = load_generator(OUT_DIR / "plain" / "generator.npz")
print(f"the plain tutorial GAN: {plain_config.epochs} epochs in {time.perf_counter() - start:.0f} s")

truncations = [0.25, 0.5, 0.75, 1.0]
sweep = {"fid": [], "precision": [], "recall": []}
for t in truncations:
    features = judge_sees(draw(G_plain, plain_meta, n, seed=11, truncation=t)[0])[0]
    precision, recall = precision_recall(reference, features, k=3)
    for key, value in zip(sweep, (frechet_distance(*reference_fit, *gaussian_fit(features)), precision, recall)):
        sweep[key].append(value)
    print(f"T = {t:4}: precision {precision:.2f}, recall {recall:.2f}, FID {sweep['fid'][-1]:.1f}")
display(truncation_figure(truncations, sweep["fid"], sweep["precision"], sweep["recall"],
                          title=f"{n:,} samples of the plain GAN against as many test digits"))
rows = np.concatenate([draw(G_plain, plain_meta, 10, seed=11, truncation=t)[0] for t in truncations])
sample_grid_figure(rows, len(truncations), 10, title="rows: T = 0.25, 0.5, 0.75, 1 (the same z directions)")
"""),
    md(r"""
## The full run

""" + FULL_EN + r"""

The command line does the same: `python -m npgan.train --model mlp-bn --info --out out/info`, then
`python -m npgan.sample --checkpoint out/info/generator.npz --code 3`, `--sweep-code 0`, `--steer 7`,
`--truncation 0.5`, and `python -m npgan.evaluate --checkpoint out/info/generator.npz [--truncation T]`, whose
report adds the code accuracy and precision and recall (`--json`: top-level `precision` and `recall`).
""", r"""
## 完整运行

""" + FULL_ZH + r"""

命令行可以做同样的事:`python -m npgan.train --model mlp-bn --info --out out/info`,然后
`python -m npgan.sample --checkpoint out/info/generator.npz --code 3`、`--sweep-code 0`、`--steer 7`、
`--truncation 0.5`,以及 `python -m npgan.evaluate --checkpoint out/info/generator.npz [--truncation T]`,
它的报告会加上编码准确率以及精确率和召回率(`--json`:顶层的 `precision` 和 `recall`)。
"""),
]
