"""What /proc tells about the scaled-mode processes: children, peak memory, CPU time, and
which process holds each connection to the API port (so how wrk's connections split).

A connection's server-side socket shows in /proc/net/tcp with its inode; the process with
that inode among its descriptors answers everything sent on it. Linux only.
"""

from __future__ import annotations

import contextlib
import os
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

ESTABLISHED = "01"  # the state column of /proc/net/tcp
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def child_pids(parent: int) -> set[int]:
    """The live processes whose parent is `parent`, but multiprocessing's resource tracker."""
    children = {
        int(entry.name)
        for entry in Path("/proc").iterdir()
        if entry.name.isdigit() and _stat_fields(int(entry.name))[1:2] == [str(parent)]
    }
    return {pid for pid in children if b"resource_tracker" not in _command(pid)}


def peak_rss_mib(pid: int) -> float:
    """VmHWM: the most resident memory the process has had."""
    status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    line = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


def cpu_seconds(pid: int) -> float:
    """User and system CPU time the process has used so far; 0 once it is gone."""
    fields = _stat_fields(pid)
    if not fields:
        return 0.0
    # After the command name: state, ppid, ..., utime and stime are the 12th and 13th.
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def connections_by_process(server_port: int, pids: list[int]) -> list[int]:
    """How many established connections to `server_port` each of `pids` holds."""
    owners = socket_owners(pids)
    held = Counter(owners.get(inode) for inode in _accepted_inodes(server_port))
    return [held[pid] for pid in pids]


def _stat_fields(pid: int) -> list[str]:
    """The fields of /proc/PID/stat after the command name (which may hold spaces)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return []
    return stat.rsplit(")", 1)[1].split()


def _command(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _accepted_inodes(server_port: int) -> list[int]:
    inodes = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text(encoding="ascii").splitlines()[1:]:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if local_port == server_port and fields[3] == ESTABLISHED:
                inodes.append(int(fields[9]))
    return inodes


def socket_owners(pids: Iterable[int]) -> dict[int, int]:
    """Socket inode -> pid, for every socket the processes hold."""
    owners: dict[int, int] = {}
    for pid in pids:
        with contextlib.suppress(OSError):
            for descriptor in Path(f"/proc/{pid}/fd").iterdir():
                with contextlib.suppress(OSError):
                    target = str(descriptor.readlink())
                    if target.startswith("socket:["):
                        owners[int(target[8:-1])] = pid
    return owners
