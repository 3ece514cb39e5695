"""`spamward train`, `spamward evaluate` and `spamward score`: the spam model's commands.

`score` is the stable, scriptable one: JSON lines in, one probability per line out, with
four decimals ("0.0123"), in input order. A bad line stops the command before any output:
`Error: ...` on stderr, the bad lines by number, exit code 1.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import click

from spamward.cli_support import guard, print_json
from spamward.model.corpora import default_corpora_dir
from spamward.model.linear import SHIPPED_MODEL, LinearModel, load_model, shipped_model
from spamward.model.parameters import FitParameters
from spamward.model.report import evaluation_lines, record_lines
from spamward.model.score_input import read_texts

corpora_option = click.option(
    "--corpora",
    "corpora_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="The corpora directory (default: ../shared/corpora next to the repository).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")


@click.command()
@corpora_option
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The model file to write, its record next to it (default: the shipped model).",
)
@json_option
def train(corpora_dir: Path | None, output: Path | None, as_json: bool) -> None:
    """Fit the spam model on YouTube (five videos) + SMS and write it with its record."""
    # scikit-learn takes a second to import: only `train` and `evaluate` pay for it.
    from spamward.model.train import train as run_training  # noqa: PLC0415

    target = output or SHIPPED_MODEL
    directory = corpora_dir or default_corpora_dir()
    record = guard(lambda: run_training(directory, target, FitParameters()))
    if as_json:
        print_json(record)
    else:
        click.echo("\n".join(record_lines(record, str(target))))


@click.command()
@corpora_option
@json_option
def evaluate(corpora_dir: Path | None, as_json: bool) -> None:
    """Authors' split, 10-fold CV on YouTube and on SMS, and the TubeSpam extra videos."""
    from spamward.model.evaluate import evaluate as run_evaluation  # noqa: PLC0415

    directory = corpora_dir or default_corpora_dir()
    report = guard(lambda: run_evaluation(directory, FitParameters()))
    if as_json:
        print_json(report)
    else:
        click.echo("\n".join(evaluation_lines(report)))


@click.command()
@click.option(
    "--input",
    "source",
    type=click.File("rb"),
    required=True,
    help='JSON lines, each an object with a "text" string; "-" reads stdin.',
)
@click.option(
    "--model",
    "model_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A model file written by `spamward train` (default: the shipped model).",
)
def score(source: BinaryIO, model_path: Path | None) -> None:
    """Print the spam probability of each input line, four decimals, one per line."""
    texts = guard(lambda: read_texts(source))
    model: LinearModel = guard(lambda: load_model(model_path) if model_path else shipped_model())
    click.echo("".join(f"{model.probability(text):.4f}\n" for text in texts), nl=False)
