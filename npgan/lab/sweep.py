"""Recipes compared over seeds: one seed proves nothing (the issue's PyTorch ring8 runs: seed 0 put no sample
near any mode, seed 1 covered all 8), so the lab runs each recipe on each seed and reports mean and spread.
"""
from dataclasses import replace

import numpy as np

from .training import run


def mode_count(config):
    """Number of modes of ``config``'s data (None for a shape without modes)."""
    means = config.distribution().means
    return None if means is None else len(means)


def run_summary(result):
    """The final figures of a :class:`npgan.lab.training.LabRun` (JSON-friendly)."""
    config = result.config
    score = result.score.as_dict() if result.score else {"modes": None, "high_quality": None, "kl": None}
    return {"data": config.data, "loss": config.loss, "pack": config.pack, "steps": config.steps, "seed": config.seed,
            **score, "seconds": round(result.seconds, 3), "cpu_seconds": round(result.cpu_seconds, 3),
            "diverged_at": result.diverged_at}


def sweep(configs, seeds, log=None):
    """Run each ``(recipe name, LabConfig)`` of ``configs`` on each seed; one summary row per run (with its
    ``"recipe"``), in order. ``log``: a function given a line per finished run (None: quiet)."""
    rows = []
    for recipe, config in configs:
        for seed in seeds:
            rows.append({"recipe": recipe, **run_summary(run(replace(config, seed=seed)))})
            if log:
                log(f"  {recipe}: " + describe(rows[-1], mode_count(config)))
    return rows


def describe(summary, modes):
    """One line on a run's summary row."""
    text = f"{summary['data']} {summary['loss']} seed {summary['seed']}: {summary['steps']:,} steps in {summary['seconds']:.1f} s"
    text += f" ({summary['cpu_seconds']:.1f} s of CPU)"
    if summary["diverged_at"]:
        text += f" (diverged at step {summary['diverged_at']})"
    if modes:
        text += (f"; modes {summary['modes']}/{modes}, high quality {summary['high_quality']:.1%}, "
                 f"KL {summary['kl']:.3f}")
    return text


def sweep_table(rows):
    """One entry per recipe: its runs' mean and standard deviation of each figure, and seconds per run."""
    table = []
    for recipe in dict.fromkeys(row["recipe"] for row in rows):
        runs = [row for row in rows if row["recipe"] == recipe]
        entry = {"recipe": recipe, "data": runs[0]["data"], "runs": len(runs),
                 "seeds": [row["seed"] for row in runs],
                 "seconds": float(np.mean([row["seconds"] for row in runs])),
                 "cpu_seconds": float(np.mean([row["cpu_seconds"] for row in runs]))}
        for key in ("modes", "high_quality", "kl"):
            values = [row[key] for row in runs if row[key] is not None]
            entry[key] = float(np.mean(values)) if values else None
            entry[key + "_std"] = float(np.std(values)) if values else None
        table.append(entry)
    return table


def markdown_table(table):
    """The sweep's table in Markdown: mean ± standard deviation over the seeds."""
    lines = ["| data | recipe | seeds | modes covered | high-quality share | KL | seconds per run (CPU) |",
             "|---|---|---|---|---|---|---|"]
    for e in table:
        seeds = f"{len(e['seeds'])} ({e['seeds'][0]}-{e['seeds'][-1]})" if len(e["seeds"]) > 1 else str(e["seeds"][0])
        if e["modes"] is None:
            figures = "- | - | -"
        else:
            figures = (f"{e['modes']:.1f} ± {e['modes_std']:.1f} | {e['high_quality']:.1%} ± {e['high_quality_std']:.1%}"
                       f" | {e['kl']:.3f} ± {e['kl_std']:.3f}")
        lines.append(f"| {e['data']} | `{e['recipe']}` | {seeds} | {figures} | {e['seconds']:.1f} ({e['cpu_seconds']:.1f}) |")
    return "\n".join(lines) + "\n"


