"""Figures of the ScaledSGD experiments (written to files; pyplot imported inside each function)."""

from __future__ import annotations

COLORS = {"scaledsgd": "#DD3403", "sgd": "#13294B"}
LABELS = {"scaledsgd": "ScaledSGD", "sgd": "SGD"}


def _finite(xs, ys):
    pairs = [(x, y) for x, y in zip(xs, ys) if y is not None]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def plot_pair_experiments(path, experiments, *, quantity: str = "error", ylabel: str = "relative error") -> None:
    """Writes one panel per experiment (a list of summaries ``{"name", "methods"}``): ``quantity`` vs epochs, log scale."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(experiments), figsize=(5 * len(experiments), 3.8), squeeze=False)
    for ax, exp in zip(axes[0], experiments):
        for method, curves in exp["methods"].items():
            xs, ys = _finite(curves["epochs"], curves[quantity])
            ax.semilogy(xs, ys, color=COLORS[method], label=f"{LABELS[method]} (η={curves['lr']:g})")
        if "coherence_line" in exp:
            ax.axhline(exp["coherence_line"], color="gray", ls="--", label="ground truth μr/d")
        ax.set_title(exp["name"], fontsize=10)
        ax.set_xlabel("epochs")
        ax.set_ylabel(ylabel)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_bpr(path, summary: dict) -> None:
    """Writes Figure 3: training BPR loss and test AUC against epochs, with NP-Maximum and AUC 0.9."""
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
    for method, curves in summary["methods"].items():
        left.plot(curves["epochs"], curves["loss"], color=COLORS[method], label=LABELS[method])
        right.plot(curves["epochs"], curves["auc"], color=COLORS[method], label=LABELS[method])
        for key in ("fraction_to_np_max", "fraction_to_auc_0.9"):
            if curves[key] is not None:
                right.axvline(curves[key], color=COLORS[method], ls=":", lw=1)
    right.axhline(summary["np_max_auc"], color="#8C1515", ls="--", label="NP-Maximum")
    right.axhline(0.9, color="gray", ls=":", lw=1)
    for ax in (left, right):
        ax.axvspan(0, 1, color="#C84113", alpha=0.08)
        ax.axvspan(1, 2, color="#1E3877", alpha=0.08)
        ax.set_xlabel("epochs")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
    left.set_ylabel("training BPR loss")
    right.set_ylabel("test AUC")
    right.set_ylim(0.45, 1.0)
    fig.suptitle(f"BPR, {summary['items']} items, {summary['train']:,} train / {summary['test']:,} test triples", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
