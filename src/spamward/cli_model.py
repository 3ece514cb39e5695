"""`spamward train`, `spamward evaluate` and `spamward score`: the spam model's commands.

`score` is the stable, scriptable one: JSON lines in, one probability per line out, with
four decimals ("0.0123"), in input order. A bad line stops the command before any output:
`Error: ...` on stderr, the bad lines by number, exit code 1.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import click

from spamward.cli_support import guard, print_json, runtime_of
from spamward.model.corpora import default_corpora_dir
from spamward.model.linear import SHIPPED_MODEL, LinearModel, load_model, shipped_model
from spamward.model.parameters import FitParameters
from spamward.model.report import evaluation_lines, record_lines
from spamward.model.score_input import read_texts
from spamward.services.projects import find_project

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
@click.option(
    "--project",
    "project_name",
    help="Retrain this project's model with its labels; used only if it passes the gate.",
)
@json_option
@click.pass_context
def train(
    context: click.Context,
    corpora_dir: Path | None,
    output: Path | None,
    project_name: str | None,
    as_json: bool,
) -> None:
    """Fit the spam model on YouTube (five videos) + SMS and write it with its record; with
    --project, retrain that project's model with its moderators' labels."""
    directory = corpora_dir or default_corpora_dir()
    if project_name is not None:
        _retrain_project(context, project_name, directory, as_json)
        return
    # scikit-learn takes a second to import: only `train` and `evaluate` pay for it.
    from spamward.model.train import train as run_training  # noqa: PLC0415

    target = output or SHIPPED_MODEL
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


def _retrain_project(context: click.Context, name: str, directory: Path, as_json: bool) -> None:
    from spamward.services.retraining import retrain  # noqa: PLC0415 (scikit-learn)

    runtime = runtime_of(context)
    project = guard(lambda: find_project(runtime.database, name))
    outcome = guard(lambda: retrain(runtime, project.id, directory, "cli"))
    if as_json:
        print_json(outcome.to_json())
        return
    live, candidate = outcome.live, outcome.candidate
    click.echo(
        f"{outcome.labels} labels, {outcome.held_out} held out: MCC live {live.mcc:.3f}, "
        f"retrained {candidate.mcc:.3f}"
    )
    if outcome.passed:
        click.echo(f"passed the gate: model version {outcome.version} is live")
    else:
        click.echo("did not pass the gate: the live model stays")
