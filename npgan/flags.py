"""The command-line flags of the loss, the Lipschitz constraints, the optimizer and the balance of D and G
steps, with their checks: shared by ``npgan.train`` and ``npgan.lab``, so both speak the same language.

``--loss`` and ``--penalty`` choose a recipe (:mod:`npgan.recipes`), whose table the help shows; every
flag given overrides the recipe's entry.
"""
import argparse

from .cli import fraction, nonnegative_float, positive_float, positive_int
from .losses import OBJECTIVES
from .optim import OPTIMIZERS
from .recipes import PENALTIES, recipe, recipe_table


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
    add("--penalty-every", "the penalty on every K-th D step only, K times heavier: the same pull on D at "
                           "1/K of its cost (StyleGAN2's lazy regularisation)", type=positive_int, metavar="K")
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


def check_training_flags(parser, explicit, settings=None):
    """Refuse combinations of the flags given (``explicit``: GANConfig field -> value) that cannot be meant,
    by ``parser.error`` (one line, exit status 2). Legal but unusual ones (clipping with BCE) pass.
    ``settings``: the run's settings with the flags (a model's: :meth:`npgan.models.Model.settings`);
    default: the recipe of the loss and penalty given, then the flags."""
    if settings is None:
        settings = {**recipe(explicit.get("loss", "ns"), explicit.get("penalty", "none")), **explicit}
    penalty = settings.get("penalty", "none")
    for name in ("penalty_weight", "penalty_every"):
        if name in explicit and penalty == "none":
            parser.error(f"--{name.replace('_', '-')} goes with --penalty gp or --penalty r1")
    adam_only = [name for name in ("beta1", "beta2") if name in explicit]
    if adam_only and settings.get("optimizer") == "rmsprop":
        parser.error(f"--{adam_only[0]} is Adam's, and this run's optimizer is rmsprop (no betas): add --optimizer adam")
