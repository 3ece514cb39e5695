"""The input of `spamward score`: JSON lines, one object per line with a string "text".

Every line is checked before anything is scored, so a bad file gives no partial output:
the error lists the bad lines (1-based line and column) and the command exits with 1.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from spamward.errors import BadRequest

MAX_REPORTED = 20


def read_texts(lines: Iterable[bytes]) -> list[str]:
    """The "text" of each line, in order; BadRequest listing the bad lines otherwise."""
    texts: list[str] = []
    problems: list[dict[str, Any]] = []
    for number, line in enumerate(lines, start=1):
        text, problem = _text_of(line)
        if problem is not None:
            problems.append({"line": number, "column": problem[0], "message": problem[1]})
        else:
            texts.append(text)
    if problems:
        message = f"{len(problems)} bad input line(s): each must be a JSON object with a 'text'"
        raise BadRequest(message, problems[:MAX_REPORTED])
    return texts


def _text_of(line: bytes) -> tuple[str, tuple[int, str] | None]:
    try:
        document = json.loads(line.decode("utf-8"))
    except UnicodeDecodeError as error:
        return "", (error.start + 1, "not UTF-8")
    except json.JSONDecodeError as error:
        return "", (error.colno, f"not JSON: {error.msg}")
    if not isinstance(document, dict):
        return "", (1, f"a JSON {type(document).__name__}, not an object")
    text = document.get("text")
    if not isinstance(text, str):
        return "", (1, "no string 'text' field")
    return text, None
