"""Rspamd's configuration for the peer comparison: Debian's defaults, without the network.

The top-level file is the bench's own: the shipped `common.conf`, options, logging and
rules from $CONFDIR (/etc/rspamd), one `normal` worker section on a loopback port, and no
controller, proxy or fuzzy worker. $LOCAL_CONFDIR points at the bench's directory, whose
`override.d/` turns off every module that asks DNS, a remote service, a feed or Redis, and
sends the lookups that remain to the bench's NXDOMAIN resolver.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

WORKERS = 2
DISABLED_MODULES = (
    # DNS block lists and lookups: rbl also runs the converted surbl and emails rules
    *("rbl", "surbl", "emails", "asn", "hfilter", "mx_check"),
    # sender authentication, each a DNS lookup, and what builds on its results
    *("dkim", "spf", "dmarc", "arc", "dkim_signing", "whitelist"),
    # remote services, feeds and maps fetched over HTTP
    *("fuzzy_check", "phishing", "url_redirector", "multimap", "rspamd_update", "dcc"),
    *("antivirus", "external_services", "bimi", "p0f", "aws_s3"),
    *("clickhouse", "elastic", "metadata_exporter", "metric_exporter"),
    # state kept in Redis
    *("neural", "history_redis", "ratelimit", "greylist", "replies", "reputation", "spamtrap"),
)
# Modules kept on whose shipped maps start with an HTTPS URL: their local copy alone.
LOCAL_MAPS = {
    "mime_types": 'file = ["${CONFDIR}/maps.d/mime_types.inc"];',
    "mid": 'source { url = ["${CONFDIR}/maps.d/mid.inc"]; }',
}


@dataclass(frozen=True, slots=True)
class Layout:
    """Where one Rspamd instance keeps its configuration, state, logs and caches."""

    directory: Path
    cache: Path  # compiled Hyperscan databases, kept across runs: compiling takes seconds

    @property
    def config(self) -> Path:
        return self.directory / "rspamd.conf"

    @property
    def log(self) -> Path:
        return self.directory / "log" / "rspamd.log"

    def variables(self) -> dict[str, str]:
        """The --var definitions the shipped configuration files read."""
        return {
            "LOCAL_CONFDIR": str(self.directory),
            "DBDIR": str(self.directory / "db"),
            "RUNDIR": str(self.directory / "run"),
            "LOGDIR": str(self.directory / "log"),
        }


def config_files(port: int, dns_port: int, cache: Path) -> dict[str, str]:
    """Every file of the configuration, by path relative to $LOCAL_CONFDIR."""
    disabled = {f"override.d/{name}.conf": "enabled = false;\n" for name in DISABLED_MODULES}
    local_maps = {f"override.d/{name}.conf": f"{text}\n" for name, text in LOCAL_MAPS.items()}
    return {
        "rspamd.conf": top_level(port),
        "override.d/options.inc": options(dns_port, cache),
        **disabled,
        **local_maps,
    }


def top_level(port: int) -> str:
    return f"""\
.include "$CONFDIR/common.conf"

options {{
    pidfile = "$RUNDIR/rspamd.pid";
    .include "$CONFDIR/options.inc"
    .include(priority=10) "$LOCAL_CONFDIR/override.d/options.inc"
}}

logging {{
    type = "file";
    filename = "$LOGDIR/rspamd.log";
    .include "$CONFDIR/logging.inc"
}}

worker "normal" {{
    bind_socket = "127.0.0.1:{port}";
    .include "$CONFDIR/worker-normal.inc"
    count = {WORKERS};
}}
"""


def options(dns_port: int, cache: Path) -> str:
    return f"""\
dns {{
    nameserver = ["127.0.0.1:{dns_port}"];
    timeout = 1s;
    retransmits = 1;
}}
hs_cache_dir = "{cache}/";
"""


def write_config(layout: Layout, port: int, dns_port: int) -> None:
    for relative, text in config_files(port, dns_port, layout.cache).items():
        path = layout.directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for name in ("db", "run", "log"):
        (layout.directory / name).mkdir(exist_ok=True)
    layout.cache.mkdir(parents=True, exist_ok=True)


def describe() -> list[str]:
    """The configuration in a few lines, for the report's notes."""
    return [
        f"Debian's shipped rules and scores, {WORKERS} normal workers on 127.0.0.1, no "
        "controller, proxy or fuzzy worker; logging as shipped (info, to a file)",
        f"off: {', '.join(DISABLED_MODULES)}",
        "mime_types and mid on their shipped local maps only; Bayes has no Redis, so it "
        "does not load; the only nameserver is the bench's resolver, answering NXDOMAIN",
    ]
