"""Each paper's training recipe: the optimizer, learning rates, Lipschitz constraint and balance of D and G
steps its loss was trained with (the flags that choose them are in :mod:`npgan.flags`).

A loss rarely works with another paper's settings: the Wasserstein critic with weight clipping needs
RMSprop and a small learning rate, its gradient-penalty successor Adam without momentum, both several
critic steps per generator step. So ``--loss`` and ``--penalty`` select a *recipe*, the settings of the
paper that introduced them (:data:`RECIPES`), and any flag given overrides its entry. Settings come, last
wins, from: the tutorial's defaults, the model's own (``mlp-bn`` and ``dcgan`` set batch size, slopes and
Adam's settings), the recipe, the flags. So a recipe replaces a model's optimizer settings and keeps its
architecture, batch size and weight average. ``ns`` and ``minimax`` have no recipe: the model's own
settings are theirs (the tutorial's run is unchanged).
"""
from dataclasses import dataclass

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
    """The settings of the recipe for ``loss`` with ``penalty`` (a new dict; empty if there is none). A
    recipe always names its optimizer (Adam unless it says otherwise), so that it replaces a model's."""
    for entry in RECIPES:
        if (entry.loss, entry.penalty) == (loss, penalty):
            return {"optimizer": "adam", **entry.settings}
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
