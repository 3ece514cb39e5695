"""`spamward score`: JSON lines in, one probability per line out (four decimals, in order);
a bad line stops it before any output, with its line number and exit code 1."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner, Result

from spamward.cli_model import score
from spamward.model.linear import probability
from spamward.model.model_file import model_bytes

LINE = re.compile(r"(?:0\.\d{4}|1\.0000)")


def run_score(*args: str, input: bytes | None = None) -> Result:  # noqa: A002 (click's name)
    return CliRunner().invoke(score, list(args), input=input)


def write_lines(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "posts.jsonl"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_one_probability_per_line_in_order(tmp_path: Path) -> None:
    texts = ["Subscribe to my channel!!! http://bit.ly/x", "lovely song", ""]
    lines = [f'{{"text": "{text}", "id": {n}}}' for n, text in enumerate(texts)]
    result = run_score("--input", str(write_lines(tmp_path, *lines)))
    assert result.exit_code == 0, result.output
    printed = result.stdout.splitlines()
    assert len(printed) == 3
    assert all(LINE.fullmatch(line) for line in printed), printed
    assert printed == [f"{probability(text):.4f}" for text in texts]
    assert float(printed[0]) > float(printed[1])


def test_stdin_and_a_missing_final_newline() -> None:
    result = run_score("--input", "-", input=b'{"text": "a"}\n{"text": "b"}')
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 2


def test_an_empty_input_prints_nothing() -> None:
    result = run_score("--input", "-", input=b"")
    assert result.exit_code == 0
    assert result.stdout == ""


def test_bad_lines_are_listed_by_number_with_no_output(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path, '{"text": "fine"}', "{not json", '["a list"]', '{"txt": "x"}', '{"text": 3}', ""
    )
    result = run_score("--input", str(path))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "Traceback" not in result.output
    assert "Error: 5 bad input line(s)" in result.stderr
    for number in (2, 3, 4, 5, 6):
        assert f"line {number}, column" in result.stderr
    assert "line 1," not in result.stderr
    assert "not JSON" in result.stderr
    assert "no string 'text' field" in result.stderr


def test_invalid_utf8_is_a_bad_line() -> None:
    result = run_score("--input", "-", input=b'{"text": "ok"}\n{"text": "\xff"}\n')
    assert result.exit_code == 1
    assert "line 2, column 11: not UTF-8" in result.stderr


def test_another_model_file(tmp_path: Path) -> None:
    model = tmp_path / "model.json"
    model.write_bytes(model_bytes({"spam": 10.0}, -1.0))
    path = write_lines(tmp_path, '{"text": "spam"}', '{"text": "ham"}')
    result = run_score("--input", str(path), "--model", str(model))
    assert result.exit_code == 0, result.output
    # "spam" has two features, itself and <len2>: σ(-1 + 10/√2) = 0.99769; "ham": σ(-1)
    assert result.stdout.splitlines() == ["0.9977", "0.2689"]


def test_a_broken_model_file_is_an_error(tmp_path: Path) -> None:
    model = tmp_path / "model.json"
    model.write_text("{}")
    posts = write_lines(tmp_path, '{"text": "x"}')
    result = run_score("--input", str(posts), "--model", str(model))
    assert result.exit_code == 1
    assert "is not a spamward-linear/1 model file" in result.stderr
    assert "Traceback" not in result.output
