"""A real `rspamd -f` child process with the bench's configuration, and scans against it."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from bench.rspamd_config import Layout, write_config
from bench.server import free_port, stop_process

READY_TIMEOUT_S = 120.0  # a first start compiles the TLD list: about 15 s on 2 cores
SCAN_TIMEOUT_S = 10.0
HYPERSCAN_TIMEOUT_S = 120.0  # compiling the rules cold takes about 10 s on 2 cores
HYPERSCAN_LOADED = re.compile(r"full hyperscan database of \d+ regexps has been loaded")
PROBE = b"From: probe@example.com\r\nSubject: probe\r\n\r\nAre you there?\r\n"


@dataclass(frozen=True)
class Rspamd:
    process: subprocess.Popen[bytes]
    port: int
    layout: Layout

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def scan(self, email: bytes) -> dict[str, Any]:
        return scan(self.port, email)

    def hyperscan_loaded(self) -> bool:
        """Whether the compiled regular expressions are in use (else PCRE serves)."""
        log = self.layout.log.read_text(encoding="utf-8", errors="replace")
        return HYPERSCAN_LOADED.search(log) is not None


def is_installed() -> bool:
    return shutil.which("rspamd") is not None


def rspamd_version() -> str:
    output = subprocess.run(["rspamd", "--version"], capture_output=True, text=True, check=True)
    return output.stdout.strip().replace("Rspamd daemon version", "Rspamd")


@contextmanager
def running_rspamd(layout: Layout, dns_port: int) -> Iterator[Rspamd]:
    """Rspamd configured in `layout`, once it has answered a scan; stopped on the way out."""
    port = free_port()
    write_config(layout, port, dns_port)
    with (layout.directory / "rspamd.out").open("wb") as output:
        process = subprocess.Popen(_command(layout), stdout=output, stderr=output)
    try:
        rspamd = Rspamd(process, port, layout)
        _wait_until_scanning(rspamd)
        yield rspamd
    finally:
        stop_process(process)


def scan(port: int, email: bytes) -> dict[str, Any]:
    """Rspamd's /checkv2 answer for `email`, raising on anything but a 200 with a verdict."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=SCAN_TIMEOUT_S)
    try:
        connection.request("POST", "/checkv2", body=email)
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    if response.status != http.HTTPStatus.OK:
        raise RuntimeError(f"rspamd answered {response.status}: {body[:500]!r}")
    result: dict[str, Any] = json.loads(body)
    if "action" not in result:
        raise RuntimeError(f"rspamd's answer has no action: {body[:500]!r}")
    return result


def wait_for_hyperscan(rspamd: Rspamd) -> bool:
    """Whether the Hyperscan database loaded within HYPERSCAN_TIMEOUT_S."""
    deadline = time.monotonic() + HYPERSCAN_TIMEOUT_S
    while not rspamd.hyperscan_loaded() and time.monotonic() < deadline:
        time.sleep(0.5)
    return rspamd.hyperscan_loaded()


def _command(layout: Layout) -> list[str]:
    # Rspamd refuses to run its workers as root unless told it is on purpose.
    insecure = ["--insecure"] if os.geteuid() == 0 else []
    variables = [f"--var={name}={value}" for name, value in layout.variables().items()]
    return ["rspamd", "--no-fork", *insecure, "--config", str(layout.config), *variables]


def _wait_until_scanning(rspamd: Rspamd) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline and rspamd.process.poll() is None:
        try:
            rspamd.scan(PROBE)
            return
        except (OSError, http.client.HTTPException, RuntimeError, ValueError):
            time.sleep(0.2)
    raise RuntimeError(f"rspamd did not answer a scan:\n{_tail(rspamd.layout)}")


def _tail(layout: Layout) -> str:
    texts = [
        path.read_text(encoding="utf-8", errors="replace")[-2000:]
        for path in (layout.directory / "rspamd.out", layout.log)
        if path.exists()
    ]
    return "\n".join(texts)
