"""Notebook 06: mode collapse and its cures, watched in two dimensions with the GAN lab (English and Chinese)."""
from cells import code, md, setup_code
from measured import LAB as M

VANILLA, R1, PACKED = M["vanilla"], M["r1"], M["packed"]  # {"flags": command line, "config": LabConfig fields}
CURE = M["cure"]


def table_md(rows):
    """Markdown of a measured seed table: rows (data, recipe, seeds, modes, std, hq, std, kl, std, seconds a run)."""
    lines = ["| data | recipe | seeds | modes covered | high-quality share | KL | seconds a run |",
             "|---|---|---|---|---|---|---|"]
    for data, recipe, seeds, modes, modes_sd, hq, hq_sd, kl, kl_sd, seconds in rows:
        lines.append(f"| {data} | {recipe} | {seeds} | {modes:.1f} ± {modes_sd:.1f} | {hq:.0%} ± {hq_sd:.0%} | "
                     f"{kl:.2f} ± {kl_sd:.2f} | {seconds:.0f} |")
    return "\n".join(lines)


TABLE = table_md(M["table"])

NB06 = [
    md(rf"""
# Mode collapse, watched in two dimensions: the GAN lab

![A GAN learning the grid of 25 Gaussians in npgan's lab](../docs/figures/lab_grid25.gif)

*D's verdict over the plane (green: "real", purple: "fake"), real points (green), G's points (purple) with
the arrows the next G step moves them along, and G's manifold (the grey mesh: a grid of z and where G sends it).*

On MNIST, a generator that forgets a digit or draws one kind of 7 is hard to catch: 784 dimensions hide
where its mass goes. In two dimensions we can *see* it. The benchmarks of VEEGAN (Srivastava et al., 2017)
and PacGAN (Lin et al., 2018) are two mixtures of Gaussians, a **ring of 8** and a **5×5 grid of 25**, and
they count how many of the modes a generator reaches. GAN Lab (Kahng et al., 2018) showed the same plane
in a browser, step by step. This notebook does both with npgan's own layers: it watches a vanilla GAN
drop modes, explains why, and measures which cures help, **over ten seeds**, because one seed proves nothing.

**Running it.** The full notebook trains each run for {M['steps']:,} steps (the cure's two runs
{CURE['steps']:,}; under a minute each on one core) and sweeps three recipes over ten seeds on both mixtures (about {M['sweep_minutes']:.0f} minutes on a busy machine).
`NPGAN_FAST=1` runs a few hundred steps and two seeds instead, in seconds (the test suite does this).
""", rf"""
# 在二维平面上观察模式崩溃:GAN 实验室

![npgan 的实验室里,一个 GAN 正在学习 25 个高斯分布组成的网格](../docs/figures/lab_grid25.gif)

*背景是 D 对平面上每一点的判断(绿色:“真”,紫色:“假”);绿点是真实样本,紫点是 G 的样本,
箭头是下一步 G 的更新推动它们的方向;灰色网格是 G 的流形:一张 z 的网格被 G 送到了哪里。*

在 MNIST 上,一个忘掉了某个数字、或者只会写一种 7 的生成器很难被发现:784 维把它的概率质量藏了起来。
在二维平面上我们却能*看见*它。VEEGAN(Srivastava 等,2017)和 PacGAN(Lin 等,2018)的基准是两个高斯混合:
**8 个高斯组成的圆环**和 **25 个高斯组成的 5×5 网格**,它们数生成器覆盖了多少个模式。
GAN Lab(Kahng 等,2018)在浏览器里一步一步地展示了同样的平面。这个笔记本用 npgan 自己的网络层把这两件事都做了:
看一个普通的 GAN 怎样丢掉模式,解释原因,并在**十个随机种子**上衡量哪些方法有效——因为一个种子什么也证明不了。

**如何运行。** 完整运行时,每次训练 {M['steps']:,} 步(解药的两次运行 {CURE['steps']:,} 步;单核一分钟以内),并在两个混合分布上用十个种子比较三种配方
(在繁忙的机器上大约 {M['sweep_minutes']:.0f} 分钟)。设置 `NPGAN_FAST=1` 则只训练几百步、两个种子,几秒钟就结束(测试套件就是这样运行的)。
"""),
    setup_code(
        "One BLAS thread: these networks are small, and a second thread only adds waiting.",
        "NPGAN_FAST=1: a few hundred steps and two seeds (the test suite does this); unset = the real thing.",
        r"""
from dataclasses import replace

from npgan.gan import GAN
from npgan.lab import LabConfig, generate, grid25, make_networks, mode_score, point_gradients, ring8, run
from npgan.lab.pictures import draw_frame, metrics_figure
from npgan.lab.sweep import markdown_table, sweep, sweep_table
"""),
    md(r"""
## Two mixtures

- **ring8**: 8 Gaussians with means $(\cos 2\pi k/8, \sin 2\pi k/8)$, standard deviation $\sigma = 0.01$;
- **grid25**: 25 Gaussians with means $\{-4, -2, 0, 2, 4\}^2$, $\sigma = 0.05$.

Every mode has the same weight. The circles below are $3\sigma$ around each mean: that is where a sample
must land to count as a good sample of that mode.
""", r"""
## 两个混合分布

- **ring8**:8 个高斯,均值为 $(\cos 2\pi k/8, \sin 2\pi k/8)$,标准差 $\sigma = 0.01$;
- **grid25**:25 个高斯,均值为 $\{-4, -2, 0, 2, 4\}^2$,$\sigma = 0.05$。

每个模式的权重都相同。下图中的圆圈是每个均值周围 $3\sigma$ 的范围:样本必须落在这里,才算是这个模式的好样本。
"""),
    code(r"""
fig, axes = plt.subplots(1, 2, figsize=(10, 5))
for ax, mixture in zip(axes, [ring8(), grid25()]):
    points = mixture.sample(np.random.default_rng(0), 2500)
    ax.scatter(points[:, 0], points[:, 1], s=2, color="#1b7837")
    for mean in mixture.means:
        ax.add_patch(plt.Circle(mean, 3 * mixture.std, fill=False, color="k", linewidth=0.6))
    ax.set_title(f"{mixture.name}: {len(mixture.means)} modes, std {mixture.std}")
    ax.set_aspect("equal")
plt.show()
"""),
    md(r"""
## Counting modes

VEEGAN and PacGAN score 2,500 samples. Each sample belongs to its **nearest mode**, and is **high quality**
if it lies within $3\sigma$ of it. Then

- **modes covered**: modes with at least one high-quality sample;
- **high-quality share**: the fraction of samples that are high quality;
- **KL**: $\mathrm{KL}(p \,\|\, \text{uniform}) = \sum_k p_k \log(K p_k)$, where $p$ is the histogram of the
  high-quality samples over the $K$ modes: 0 when they are spread evenly, $\log K$ when they all sit on one mode.

A generator can cheat on each figure alone (one perfect mode: 100% high quality; a blur over the plane:
every mode "covered" by a few lucky samples), but not on all three. Real samples score almost perfectly:
in two dimensions, $P(|x - \mu| \le 3\sigma) = 1 - e^{-9/2} = 98.9\%$.
""", r"""
## 数模式

VEEGAN 和 PacGAN 对 2,500 个样本打分。每个样本属于离它**最近的模式**;如果它离这个模式不超过 $3\sigma$,就是**高质量**样本。于是

- **覆盖的模式数**:至少有一个高质量样本的模式个数;
- **高质量比例**:高质量样本所占的比例;
- **KL**:$\mathrm{KL}(p \,\|\, \text{均匀}) = \sum_k p_k \log(K p_k)$,其中 $p$ 是高质量样本在 $K$ 个模式上的直方图:
  分布均匀时为 0,全部挤在一个模式上时为 $\log K$。

只看其中一个指标,生成器都能作弊(只画一个完美的模式:高质量比例 100%;在整个平面上涂一层:每个模式都被几个碰巧的样本“覆盖”),
但三个指标不能同时作弊。真实样本几乎得满分:在二维中,$P(|x - \mu| \le 3\sigma) = 1 - e^{-9/2} = 98.9\%$。
"""),
    code(r"""
mixture = grid25()
rng = np.random.default_rng(1)
real = mixture.sample(rng, 2500)
print("real samples:          ", mode_score(real, mixture.means, mixture.std))
print("one mode only:         ", mode_score(real[np.linalg.norm(real - [2, 2], axis=1) < 0.5], mixture.means, mixture.std))
print("a blur over the plane: ", mode_score(rng.uniform(-5, 5, (2500, 2)), mixture.means, mixture.std))
print("9 modes, all perfect:  ", mode_score(real[np.abs(real).max(axis=1) < 3], mixture.means, mixture.std))
"""),
    md(rf"""
## The lab's networks, and the step

The networks are GAN Lab's and PacGAN's size, from npgan's layers:

    G: z (2, standard normal) -> 3 x (Dense 128, ReLU) -> Dense 2
    D: a point (2)            -> 2 x (Dense 128, LeakyReLU 0.2) -> Dense 1

and they are trained by the very step notebook 01 wrote out, `GAN.train_step`: one D step, one G step,
batch 100, Adam (the lab's default: lr $10^{{-3}}$, $\beta_1 = 0.5$). `--loss`, `--penalty`, `--d-steps`
and the other flags of `npgan.train` choose the objective, the constraint and the balance, as they do there.

The picture in the lab is the G step itself. G's loss is a function of its points $x_i = G(z_i)$ only
through D, so its gradient reaches G's weights through $\partial L_G / \partial x_i$, the gradient at each
point, which D's backward pass computes. G moves each point along $-\partial L_G / \partial x_i$: **those are
the arrows**. The cell checks that sending the arrows back through G gives exactly the gradient the G step applies.
""", rf"""
## 实验室的网络和训练步骤

网络的规模和 GAN Lab、PacGAN 的一样,用 npgan 的网络层搭成:

    G: z (2, 标准正态) -> 3 x (Dense 128, ReLU) -> Dense 2
    D: 一个点 (2)      -> 2 x (Dense 128, LeakyReLU 0.2) -> Dense 1

训练它们的正是笔记本 01 写出来的那一步 `GAN.train_step`:一步 D,一步 G,批大小 100,Adam
(实验室的默认值:学习率 $10^{{-3}}$,$\beta_1 = 0.5$)。`--loss`、`--penalty`、`--d-steps` 以及 `npgan.train`
的其他参数在这里同样用来选择目标函数、约束和两者的步数配比。

实验室里的图画的就是 G 的这一步。G 的损失只通过 D 依赖于它的点 $x_i = G(z_i)$,所以梯度经由每个点上的
$\partial L_G / \partial x_i$ 传到 G 的权重,而这个梯度由 D 的反向传播算出。G 让每个点沿 $-\partial L_G / \partial x_i$ 移动:
**这就是图中的箭头**。下面的单元验证:把箭头送回 G 做反向传播,得到的恰好是 G 这一步用的梯度。
"""),
    code(r"""
config = LabConfig(data="grid25")
gan = GAN(config.gan_config(), networks=make_networks(config, rng=0))
print("G:", " -> ".join(type(layer).__name__ for layer in gan.G.layers))
print("D:", " -> ".join(type(layer).__name__ for layer in gan.D.layers))

rng = np.random.default_rng(0)
real, z = grid25().sample(rng, 100), rng.standard_normal((100, 2), dtype=np.float32)
gan.d_step(real, gan.G.forward(z))                      # the step's first half: D moves
arrows = -point_gradients(gan, generate(gan.G, z), 1)   # what the picture draws
gan.G.zero_grad()
gan.G.backward(-arrows, input_grad=False)
from_arrows = gan.G.flat_grads.copy()
gan.g_step(gan.G.forward(z))                            # the second half, as GAN.train_step runs it
print("G's gradient from the arrows == the G step's gradient:", np.array_equal(from_arrows, gan.G.flat_grads))
"""),
    md(rf"""
## Watch a vanilla GAN drop modes

`{VANILLA['flags']}` on the grid: the tutorial's non-saturating loss with the lab's networks and
settings. Each panel is one moment of training; the curves below count the modes as it goes.
""", rf"""
## 看一个普通的 GAN 怎样丢掉模式

在网格上运行 `{VANILLA['flags']}`:教程的非饱和损失,配上实验室的网络和设置。每一幅图是训练中的一个时刻;
下面的曲线记录了训练过程中覆盖的模式数。
"""),
    code(rf"""
steps = 300 if FAST else {M['steps']}
collapse = LabConfig(data="grid25", steps=steps, seed=0, **{VANILLA['config']!r})
started = time.perf_counter()
vanilla = run(collapse, log_every=steps // 10, frames=True)
print(f"{{steps}} steps in {{time.perf_counter() - started:.1f}} s; final:", vanilla.score)


def show_frames(result, picks=(0, 2, 5, 10), size=3.6):
    fig, axes = plt.subplots(1, len(picks), figsize=(size * len(picks), size + 0.3))
    for ax, i in zip(axes, picks):
        draw_frame(ax, result, result.frames[i])
    plt.show()


show_frames(vanilla)
metrics_figure(vanilla.history, modes=25)
"""),
    md(rf"""
## Why modes get dropped

Look at the arrows. Each G step moves every point towards where D, **as it is now**, says "real": the
green it can see from where it stands. D, meanwhile, learns to reject wherever the fakes are. So the fakes
chase D's current verdict: a crowd of them flows into the modes D is least suspicious of, D turns those
purple, the crowd moves on. Nothing in G's loss rewards *spreading* the points: each point is judged
alone, and a point sitting on a real mode scores well no matter how many others sit there too. A mode
that no fake is near sends no gradient to anyone (D's slope there pulls only points already close), so once
abandoned it tends to stay abandoned. The manifold shows the price of the cure as well: G maps one
connected plane of $z$ onto separate blobs, so it must stretch the mesh across the gaps, and every point
there is low quality.

Notebook 01's generator did the same on MNIST, where it is hard to see. Here the count is plain.
""", rf"""
## 为什么会丢掉模式

看那些箭头。G 的每一步都把每个点推向 D **此刻**判为“真”的地方:它站在原地能看到的那片绿色。与此同时,
D 学会了拒绝假样本所在的任何地方。于是假样本追着 D 当前的判断跑:一群假样本涌进 D 最不怀疑的那些模式,
D 把那里染成紫色,这群样本又接着转移。G 的损失里没有任何东西奖励把点*分散开*:每个点都是单独被评判的,
一个点落在真实模式上就能得高分,不管那里已经挤了多少别的点。一个附近没有假样本的模式不给任何点提供梯度
(D 在那里的斜率只拉动已经靠近的点),所以一旦被放弃,它往往就一直被放弃。流形也显示了补救的代价:
G 要把一整块连通的 $z$ 平面映射到彼此分开的团块上,就必须把网格拉伸着跨过空隙,而落在空隙里的点都是低质量的。

笔记本 01 的生成器在 MNIST 上也做了同样的事,只是很难看出来。在这里,数一数就清楚了。
"""),
    md(rf"""
## Cures

Two ideas, which the lab's flags combine:

- **Make the game settle** instead of circling. A penalty on D's slope at the real data (R1, Mescheder et
  al., 2018, `--penalty r1`) removes D's incentive to keep throwing the fakes past the data, and smaller
  steps late in training (`--lr-decay`) let G's points sharpen onto their modes.
- **Let D see several samples at once** (PacGAN, `--pack m`). D judges $m$ points concatenated, all real or all
  fake. One point on a popular mode looks real; $m$ points that all sit on the same few modes do not,
  since $m$ real points come from $m$ random modes. D can now punish missing modes, which it cannot see one
  sample at a time. In npgan the packing is a layer, `Pack(m)`, the last of G, and the same reshape of every
  real batch, so the step, the losses and the penalties all see ordinary rows.

First R1 with a decaying learning rate, `{R1['flags']}`, on the same grid and seed:
""", rf"""
## 补救方法

有两个思路,实验室的参数可以把它们组合起来:

- **让博弈稳定下来**,而不是一直兜圈子。对 D 在真实数据处的斜率加惩罚(R1,Mescheder 等,2018,`--penalty r1`)
  消除了 D 把假样本不断推过真实数据的动力;训练后期使用更小的步长(`--lr-decay`)让 G 的点收紧到各自的模式上。
- **让 D 一次看几个样本**(PacGAN,`--pack m`)。D 评判 $m$ 个拼在一起的点,要么全真,要么全假。
  一个落在热门模式上的点看起来是真的;$m$ 个全挤在同样几个模式上的点就不像了,因为 $m$ 个真实的点来自 $m$ 个随机的模式。
  这样 D 就能惩罚缺失的模式,而一次只看一个样本时它看不出这一点。在 npgan 里,打包是一个网络层 `Pack(m)`,
  放在 G 的最后,真实批次也做同样的变形,所以训练步骤、损失函数和惩罚项看到的都是普通的行。

先看 R1 加上逐渐减小的学习率,`{R1['flags']}`,同样的网格、同样的种子:
"""),
    code(rf"""
settled = replace(collapse, **{R1['config']!r})
started = time.perf_counter()
cured = run(settled, log_every=steps // 10, frames=True)
print(f"{{steps}} steps in {{time.perf_counter() - started:.1f}} s; final:", cured.score)
show_frames(cured)
metrics_figure(cured.history, modes=25)
"""),
    md(rf"""
R1 settles the game, but it does not make D look at *where the mass is*. On the ring, with some seeds, G
still runs off to one mode and stays there; seed 2 is one. Packing two points per D input (`--pack 2`) lets
D see it, and the same seed covers the ring. The left panel is R1 alone, the right R1 with packing:
""", rf"""
R1 让博弈稳定下来,但它并不让 D 去看*质量都在哪里*。在圆环上,对某些种子,G 仍然会跑到一个模式上并停在那里;
种子 2 就是这样。让 D 的每个输入打包两个点(`--pack 2`),D 就能看出来,同一个种子便覆盖了整个圆环。
左图只用 R1,右图是 R1 加打包:
"""),
    code(rf"""
ring_r1 = run(replace(settled, data="ring8", seed=2))
ring_packed = run(replace(settled, data="ring8", seed=2, **{PACKED['extra']!r}))
fig, axes = plt.subplots(1, 2, figsize=(10, 5.3))
for ax, result, name in zip(axes, [ring_r1, ring_packed], ["R1 alone", "R1 and --pack 2"]):
    draw_frame(ax, result, title=name)
plt.show()
"""),
    md(rf"""
## Both mixtures, cured

R1 with packing cures the ring but not the grid within {M['steps']:,} steps. The lab's best recipe runs
{CURE['steps']:,} steps and combines four things: the hinge loss at Adam 1e-3 (without SN-GAN's spectral norm),
learning rates cut by 15% every 1,000 steps (coverage is won early, precision late), the scored G an
exponential average of G's weights (`--ema 0.999`), and **packing two points together with two D steps per G
step**. Packing alone blurs the grid, two D steps alone leave some seeds a mode or two short; together they
covered every mode of both mixtures on each of ten seeds (the table below). The command line calls it
`python -m npgan.lab {CURE['flags']} --steps {CURE['steps']}`. Here it is on the grid's seed 0, where the vanilla
GAN collapsed, and on the ring's seed 2, where R1 alone lost the ring (the full runs: grid
{CURE['grid_seed0'][0]} modes, {CURE['grid_seed0'][1]:.1%} high quality, KL {CURE['grid_seed0'][2]}; ring
{CURE['ring_seed2'][0]} modes, {CURE['ring_seed2'][1]:.1%}, KL {CURE['ring_seed2'][2]}; about half a minute each):
""", rf"""
## 两个混合分布都治好了

R1 加打包在 {M['steps']:,} 步内治好了圆环,却治不好网格。实验室最好的配方训练 {CURE['steps']:,} 步,组合了四样东西:
用 Adam 1e-3 训练 hinge 损失(不用 SN-GAN 的谱归一化),学习率每 1,000 步减少 15%(覆盖在前期赢得,精度在后期),
计分的 G 是 G 的权重的指数滑动平均(`--ema 0.999`),以及**打包两个点,同时每个 G 步配两个 D 步**。只打包会让网格变模糊,
只用两个 D 步会让一些种子差一两个模式;两者一起,在十个种子的每一个上都覆盖了两个混合分布的全部模式(见下面的表格)。
命令行写作 `python -m npgan.lab {CURE['flags']} --steps {CURE['steps']}`。下面是它在网格的种子 0(普通 GAN 在这里崩溃了)
和圆环的种子 2(只用 R1 在这里丢掉了圆环)上的结果(完整运行:网格 {CURE['grid_seed0'][0]} 个模式、高质量
{CURE['grid_seed0'][1]:.1%}、KL {CURE['grid_seed0'][2]};圆环 {CURE['ring_seed2'][0]} 个模式、{CURE['ring_seed2'][1]:.1%}、
KL {CURE['ring_seed2'][2]};每次大约半分钟):
"""),
    code(rf"""
cure_steps = 300 if FAST else {CURE['steps']}
cure = LabConfig(data="grid25", steps=cure_steps, seed=0, **{CURE['config']!r})
started = time.perf_counter()
grid_cured = run(cure)
ring_cured = run(replace(cure, data="ring8", seed=2))
print(f"{{cure_steps}} steps each, {{time.perf_counter() - started:.1f}} s for both")
print("the cure on grid25, seed 0:", grid_cured.score)
print("the cure on ring8, seed 2: ", ring_cured.score)
fig, axes = plt.subplots(1, 2, figsize=(10, 5.3))
for ax, result, name in zip(axes, [grid_cured, ring_cured], ["the cure: grid25, seed 0", "the cure: ring8, seed 2"]):
    draw_frame(ax, result, title=name)
plt.show()
"""),
    md(rf"""
## One seed proves nothing: measured over ten

A single run of a GAN is one draw from a wide distribution: the issue's PyTorch reference put no sample of
ring8 near any mode with seed 0 and covered all 8 with seed 1, same code. So the lab runs each recipe on
each seed (`sweep`, or `python -m npgan.lab --seeds 0-9 --recipe ...`) and reports the mean and the
standard deviation over the seeds. The measured full sweep ({M['steps']:,} steps a run, one BLAS thread, on the
2-core development machine while other jobs kept both cores busy, so the seconds are pessimistic):

{TABLE}

{M['verdict_en']}

The full notebook runs the three recipes on both mixtures over seeds 0-9 (about {M['sweep_minutes']:.0f}
minutes at those speeds); fast mode, two seeds of a few hundred steps, which prove nothing about quality.
""", rf"""
## 一个种子什么也证明不了:十个种子的测量

GAN 的一次运行只是一个很宽的分布中的一次抽样:议题里的 PyTorch 参考实现,同样的代码,种子 0 在 ring8 上没有一个样本落在任何模式附近,
种子 1 却覆盖了全部 8 个。所以实验室在每个种子上运行每种配方(`sweep`,或 `python -m npgan.lab --seeds 0-9 --recipe ...`),
报告各种子上的均值和标准差。实测的完整结果(每次 {M['steps']:,} 步,一个 BLAS 线程,在开发用的双核机器上测得,
当时其他任务让两个核都很忙,所以秒数偏悲观):

{TABLE}

{M['verdict_zh']}

完整的笔记本在两个混合分布上用种子 0-9 运行这三种配方(按上面的速度大约 {M['sweep_minutes']:.0f} 分钟);
快速模式只用两个种子、几百步,对质量说明不了什么。
"""),
    code(r"""
seeds = [0, 1] if FAST else list(range(10))
recipes = []
for data in ("ring8", "grid25"):
    recipes.append((f"{data}: vanilla", replace(collapse, data=data)))
    recipes.append((f"{data}: R1", replace(settled, data=data)))
    recipes.append((f"{data}: R1, pack 2", replace(settled, data=data, pack=2)))
started = time.perf_counter()
rows = sweep(recipes, seeds, log=print)
print(f"\n{len(rows)} runs in {(time.perf_counter() - started) / 60:.1f} minutes\n")
print(markdown_table(sweep_table(rows)))
"""),
    md(r"""
## Try it yourself

The command line runs all of this and writes the pictures (`final.png`, `metrics.png`, `lab.gif` with
`--gif`), the metrics (`metrics.csv`, `--json`) and the samples (`--npy`):

    python -m npgan.lab --data ring8 --loss ns --steps 4000 --gif --out lab_ring
    python -m npgan.lab --data grid25 --seeds 0-9 --recipe "--loss ns" --recipe "--loss wgan --penalty gp"
    python -m npgan.lab --points my_drawing.csv --gif      # (n, 2) points of your own, .csv or .npy

Things to try: the saturating `--loss minimax` (watch the arrows vanish where D is sure), `--pack 2` to
`--pack 8`, `--d-steps 5`, a weaker G (`--g-hidden 32`), `--data spiral` or `--data moons`.
""", r"""
## 自己试一试

命令行可以完成以上所有事情,并写出图片(`final.png`、`metrics.png`,加 `--gif` 还有 `lab.gif`)、
指标(`metrics.csv`、`--json`)和样本(`--npy`):

    python -m npgan.lab --data ring8 --loss ns --steps 4000 --gif --out lab_ring
    python -m npgan.lab --data grid25 --seeds 0-9 --recipe "--loss ns" --recipe "--loss wgan --penalty gp"
    python -m npgan.lab --points my_drawing.csv --gif      # 你自己的 (n, 2) 个点,.csv 或 .npy

可以试试:会饱和的 `--loss minimax`(看 D 很确定的地方箭头怎样消失)、`--pack 2` 到 `--pack 8`、`--d-steps 5`、
更弱的 G(`--g-hidden 32`)、`--data spiral` 或 `--data moons`。
"""),
]
