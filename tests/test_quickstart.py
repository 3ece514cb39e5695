"""docs/quickstart.md, followed as written: every `sh` block, in order, in one bash, in a
fresh clone of this repository.

Two things differ from a reader's run. The ports are free ones instead of 8000 and 5050.
And the virtual environment is the one running the tests, linked in as `.venv`, instead
of a new one: `make setup` and CI already test the install, and a second one would add
minutes to every run.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from bench.server import environment_without_settings, free_port

ROOT = Path(__file__).resolve().parent.parent
QUICKSTART = ROOT / "docs" / "quickstart.md"
INSTALL = re.compile(r"^(python3 -m venv \.venv|\.venv/bin/pip install .*)$", re.MULTILINE)
TIMEOUT_S = 300


def quickstart_script() -> str:
    blocks = re.findall(r"```sh\n(.*?)```", QUICKSTART.read_text(encoding="utf-8"), re.DOTALL)
    script = "\n".join(blocks)
    script = INSTALL.sub("", script)
    return script.replace("8000", str(free_port())).replace("5050", str(free_port()))


def test_the_quickstart_runs_as_written(tmp_path: Path) -> None:
    clone = tmp_path / "spamward"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    (clone / ".venv").symlink_to(Path(sys.prefix))
    script = "set -euo pipefail\ntrap 'kill $(jobs -p) 2>/dev/null' EXIT\nmkdir -p var\n"
    script += quickstart_script()
    environment = environment_without_settings()

    done = subprocess.run(
        ["bash", "-c", script], cwd=clone, env=environment, capture_output=True, text=True,
        timeout=TIMEOUT_S, start_new_session=True, check=False,
    )  # fmt: skip

    logs = "".join(f"\n--- {log.name}\n{log.read_text(errors='replace')[-2000:]}"
                   for log in sorted((clone / "var").glob("*.log")))  # fmt: skip
    assert done.returncode == 0, f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}{logs}"
    assert "challenge\nallow" in done.stdout
    lines = (clone / "var" / "received.jsonl").read_text(encoding="utf-8").splitlines()
    [webhook] = [json.loads(line) for line in lines]
    assert (webhook["kind"], webhook["rule"], webhook["user_id"]) == (
        "call_webhook",
        "tell_the_site",
        "u3",
    )
    assert webhook["decision"]["verdict"] == "block"
