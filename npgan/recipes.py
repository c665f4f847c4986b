"""Each paper's training recipe, and the command-line flags that choose a loss, a Lipschitz constraint, an
optimizer and the balance of D and G steps (shared by ``npgan.train`` and ``npgan.lab``).

A loss rarely works with another paper's settings: the Wasserstein critic with weight clipping needs
RMSprop and a small learning rate, its gradient-penalty successor Adam without momentum, both several
critic steps per generator step. So ``--loss`` and ``--penalty`` select a *recipe*, the settings of the
paper that introduced them (:data:`RECIPES`), and any flag given overrides its entry. Settings come, last
wins, from: the tutorial's defaults, the model's own (``mlp-bn`` and ``dcgan`` set batch size, slopes and
Adam's settings), the recipe, the flags. So a recipe replaces a model's optimizer settings and keeps its
architecture, batch size and weight average. ``ns`` and ``minimax`` have no recipe: the model's own
settings are theirs (the tutorial's run is unchanged).
"""
import argparse
from dataclasses import dataclass

from .cli import fraction, nonnegative_float, positive_float, positive_int
from .losses import OBJECTIVES
from .optim import OPTIMIZERS

PENALTIES = ("none", "gp", "r1")


@dataclass(frozen=True)
class Recipe:
    """The settings a paper trained ``loss`` with ``penalty`` (GANConfig fields), and the paper."""

    loss: str
    penalty: str
    settings: dict
    source: str


RECIPES = (
    Recipe("lsgan", "none", dict(lr=2e-4, beta1=0.5), "LSGAN (Mao et al. 2017)"),
    Recipe("hinge", "none", dict(spectral_norm=True, lr=2e-4, beta1=0.5),
           "SN-GAN (Miyato et al. 2018)"),
    Recipe("wgan", "none", dict(clip=0.01, optimizer="rmsprop", lr=5e-5, d_steps=5),
           "WGAN (Arjovsky et al. 2017)"),
    Recipe("wgan", "gp", dict(penalty_weight=10.0, lr=1e-4, beta1=0.0, beta2=0.9, d_steps=5),
           "WGAN-GP (Gulrajani et al. 2017)"),
    Recipe("ns", "r1", dict(penalty_weight=10.0, optimizer="rmsprop", lr=1e-4, smooth=0.0),
           "R1 (Mescheder et al. 2018)"),
)


def recipe(loss, penalty="none"):
    """The settings of the recipe for ``loss`` with ``penalty`` (a new dict; empty if there is none)."""
    for entry in RECIPES:
        if (entry.loss, entry.penalty) == (loss, penalty):
            return dict(entry.settings)
    return {}


def recipe_table():
    """The recipes as a text table (``--help`` shows it; README's table says the same)."""
    lines = ["recipes (--loss and --penalty pick one; any flag given overrides its entry; other losses and",
             "combinations keep the model's own settings):",
             f"  {'flags':<25} {'constraint':<14} {'optimizer':<32} {'D steps':<8} paper"]
    for entry in RECIPES:
        s = entry.settings
        flags = f"--loss {entry.loss}" + (f" --penalty {entry.penalty}" if entry.penalty != "none" else "")
        constraint = (f"{entry.penalty} weight {s['penalty_weight']:g}" if entry.penalty != "none"
                      else f"clip {s['clip']:g}" if s.get("clip") else "spectral norm" if s.get("spectral_norm")
                      else "none")
        optimizer = s.get("optimizer", "adam")
        if optimizer == "adam":
            betas = ", ".join(f"{name} {s[name]:g}" for name in ("beta1", "beta2") if name in s)
            optimizer += f" {s['lr']:g}" + (f" ({betas})" if betas else "")
        else:
            optimizer += f" {s['lr']:g}"
        lines.append(f"  {flags:<25} {constraint:<14} {optimizer:<32} {s.get('d_steps', 1):<8} {entry.source}")
    return "\n".join(lines)


def add_training_flags(parser, defaults):
    """Add the flags of the loss, the constraints, the optimizer and the balance to ``parser`` (one argument
    group), and the recipe table to its epilog; returns the group.

    ``defaults(name)``: the text after "default:" for a GANConfig field (the caller knows its models). Every
    flag defaults to ``argparse.SUPPRESS``: a flag not given stays off the parsed namespace, so the recipe
    and the model supply it and a resumed run can tell given from default. Pair with
    :func:`check_training_flags`.
    """
    group = parser.add_argument_group(
        "loss, Lipschitz constraint, optimizer and balance (a recipe's settings, see below, else the model's)")

    def add(flag, help_text, **kwargs):
        name = flag[2:].replace("-", "_")
        default = "" if "default" in help_text else f" (default: {defaults(name)})"
        group.add_argument(flag, default=argparse.SUPPRESS, help=help_text + default, **kwargs)

    add("--loss", "the GAN objective: " + "; ".join(f"{name}: {o.summary}" for name, o in OBJECTIVES.items()),
        choices=tuple(OBJECTIVES))
    add("--penalty", "a penalty on D's input gradient: gp (WGAN-GP, slope 1 between real and fake images) or "
                     "r1 (slope 0 at real images); D is then built without batch norm", choices=PENALTIES)
    add("--penalty-weight", "gp: lambda; r1: gamma (the step adds gamma/2 times the penalty)",
        type=nonnegative_float, metavar="W")
    add("--clip", "clip every D parameter to [-C, C] after each D step (WGAN; 0: off). Legal with any loss, "
                  "but meant for the Wasserstein critic: with BCE it only limits D", type=nonnegative_float,
        metavar="C")
    add("--spectral-norm", "divide every weight of D by its largest singular value (one power iteration per D "
                           "step); D is then built without batch norm", action=argparse.BooleanOptionalAction)
    add("--optimizer", "for both networks; rmsprop has no momentum and ignores the betas",
        choices=tuple(OPTIMIZERS))
    add("--lr", "learning rate of both networks", type=positive_float)
    add("--d-lr", "D's learning rate (default: --lr); a larger one than G's is the two time-scale rule",
        type=positive_float)
    add("--g-lr", "G's learning rate (default: --lr)", type=positive_float)
    add("--beta1", "Adam beta1 (momentum)", type=fraction)
    add("--beta2", "Adam beta2 (decay of the mean of squared gradients)", type=fraction)
    add("--d-steps", "D steps per G step (WGAN's n_critic), each on its own real batch: an epoch (one pass of "
                     "D over the data) then holds 1/K as many G steps", type=positive_int, metavar="K")
    parser.epilog = ((parser.epilog or "").rstrip("\n") + "\n\n" + recipe_table()).lstrip("\n")
    return group


def check_training_flags(parser, explicit):
    """Refuse combinations of the flags given (``explicit``: GANConfig field -> value) that cannot be meant,
    by ``parser.error`` (one line, exit status 2). Legal but unusual ones (clipping with BCE) pass."""
    penalty = explicit.get("penalty", "none")
    settings = {**recipe(explicit.get("loss", "ns"), penalty), **explicit}
    if "penalty_weight" in explicit and penalty == "none":
        parser.error("--penalty-weight goes with --penalty gp or --penalty r1")
    adam_only = [name for name in ("beta1", "beta2") if name in explicit]
    if adam_only and settings.get("optimizer") == "rmsprop":
        parser.error(f"--{adam_only[0]} is Adam's: --optimizer rmsprop has no betas")
