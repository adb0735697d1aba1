# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""The one table writer: Markdown for people, CSV for tools, a PNG bar chart for a glance.

A table is a list of (header, cell) pairs, where cell(record) gives the text of that column for one
measured row; a record is a flat dict (shape, threads, rates by column key).
"""
import csv

import matplotlib

matplotlib.use("Agg")  # no display: render straight to PNG
import matplotlib.pyplot as plt  # noqa: E402

MISSING = "–"


def rate(value):
    return MISSING if value is None else f"{value:.0f}"


def ratio(value):
    return MISSING if value is None else f"{value:.2f}"


def micros(value):
    return MISSING if value is None else f"{value:.1f}"


def error(value):
    """An absolute error, e.g. 3.1e-03."""
    return MISSING if value is None else f"{value:.1e}"


def markdown(table, records):
    lines = ["| " + " | ".join(header for header, _ in table) + " |", "|" + "---|" * len(table)]
    lines += ["| " + " | ".join(cell(record) for _, cell in table) + " |" for record in records]
    return "\n".join(lines)


def write_csv(path, records):
    """Every field of every record; the columns are the union of the records' keys, first seen first."""
    fields = list(dict.fromkeys(key for record in records for key in record))
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, restval="")
        writer.writeheader()
        writer.writerows(records)


def bar_chart(path, title, labels, series, unit):
    """Grouped bars: one group per label, one bar per series (name -> values, None for no bar).

    The y axis is logarithmic because one table spans T=1 and T=15 and 1 to 16 sequences per call.
    """
    width = 0.8 / len(series)
    # Matplotlib's default cycle has 10 colours: more series would share one.
    colors = plt.get_cmap("tab20").colors if len(series) > 10 else [None] * len(series)
    fig, ax = plt.subplots(figsize=(max(8.0, 4.0 + 0.12 * len(labels) * len(series)), 5.0))
    for i, (name, values) in enumerate(series.items()):
        xs = [x + (i - (len(series) - 1) / 2) * width for x, v in enumerate(values) if v is not None]
        ax.bar(xs, [v for v in values if v is not None], width, label=name, color=colors[i % len(colors)])
    ax.set_xticks(range(len(labels)))
    ax.set_xticklabels(labels, rotation=30, ha="right", fontsize="small")
    ax.set_yscale("log")
    ax.set_ylabel(unit)
    ax.set_title(title)
    ax.grid(axis="y", which="both", alpha=0.3)
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1))
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
