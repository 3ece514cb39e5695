"""`make soak`: scaled mode under steady traffic while its parts are killed and restarted,
then a reconciliation of what was answered, stored, asked of the workers and delivered.

    python -m bench.soak [--minutes 10] [--rate 20]

The cluster (2 API processes, 2 workers) runs on a PostgreSQL and a Redis of the soak's
own, on loopback, with a webhook receiver standing for the site. Along the run, in order:
a worker is killed (SIGKILL) and started again, an API process is killed (`serve` starts
another), Redis is stopped then started, PostgreSQL is stopped then started, the other
worker is killed and started again. Traffic stops at the end of the run; the workers then
get up to DRAIN_S to settle what is left.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx
import psycopg
from tests.receivers import webhook_receiver

from bench.soak_cluster import PROJECT, SoakCluster, admin_key, soak_cluster
from bench.soak_load import send_at_rate
from bench.soak_reconcile import reconcile, table

LEASE_S = 5.0
DRAIN_S = 120.0
DOWN_S = {"redis": 15.0, "postgres": 8.0, "worker": 3.0}


@dataclass(frozen=True, slots=True)
class Fault:
    at: float  # share of the run
    name: str
    run: Callable[[SoakCluster], None]


def _restart_worker(number: int) -> Callable[[SoakCluster], None]:
    def run(cluster: SoakCluster) -> None:
        cluster.kill_worker(number)
        time.sleep(DOWN_S["worker"])
        cluster.start_worker(number)

    return run


def _redis_outage(cluster: SoakCluster) -> None:
    cluster.redis.stop()
    time.sleep(DOWN_S["redis"])
    cluster.redis.start()


def _postgres_outage(cluster: SoakCluster) -> None:
    cluster.postgres.stop()
    time.sleep(DOWN_S["postgres"])
    cluster.postgres.start()


SCHEDULE = (
    Fault(0.15, "worker 1 killed (SIGKILL), started again", _restart_worker(0)),
    Fault(0.30, "API process 1 killed (SIGKILL)", lambda c: c.kill_api_process(0)),
    Fault(0.45, f"Redis stopped for {DOWN_S['redis']:.0f} s", _redis_outage),
    Fault(0.60, f"PostgreSQL stopped for {DOWN_S['postgres']:.0f} s", _postgres_outage),
    Fault(0.80, "worker 2 killed (SIGKILL), started again", _restart_worker(1)),
)


def main(minutes: float, rate: float) -> int:
    seconds = minutes * 60
    print(f"soak: {minutes:g} min at {rate:g} posts/s, faults: "
          + "; ".join(f.name for f in SCHEDULE), file=sys.stderr)  # fmt: skip
    with webhook_receiver() as receiver, soak_cluster(LEASE_S) as cluster:
        api_key = admin_key(cluster)
        _set_up_project(cluster, api_key, receiver.url)
        stop = threading.Event()
        faults = threading.Thread(target=_run_faults, args=(cluster, seconds, stop))
        faults.start()
        answers = send_at_rate(cluster.url, api_key, rate, seconds, stop)
        stop.set()
        faults.join()
        drained = _drain(cluster)
        found = reconcile(cluster.postgres.url, answers, receiver)
    print(f"\nsoak reconciliation ({answers.sent:,} posts sent over {minutes:g} min; "
          f"actions {'settled' if drained else 'NOT settled'} after the run)\n")  # fmt: skip
    print(table(found))
    return 0 if found.holds and drained else 1


def _set_up_project(cluster: SoakCluster, api_key: str, webhook_url: str) -> None:
    headers = {"Authorization": f"Bearer {api_key}"}
    with httpx.Client(base_url=cluster.url, headers=headers, timeout=30) as client:
        rule = {"name": "casino", "condition": '"casino" in event.text', "verdict": "block",
                "reason": "casino spam", "effects": [{"action": "call_webhook"}]}  # fmt: skip
        for method, path, body in (
            (
                "PATCH",
                "/v1/remediation-settings",
                {"webhook_url": webhook_url, "rule_actions_per_hour": 1_000_000},
            ),
            ("POST", "/v1/rules", rule),
            ("POST", "/v1/policy/publish", {}),
        ):
            client.request(method, path, json=body).raise_for_status()
    print(f"project {PROJECT!r}: rule 'casino' blocks and calls the webhook", file=sys.stderr)


def _run_faults(cluster: SoakCluster, seconds: float, stop: threading.Event) -> None:
    start = time.monotonic()
    for fault in SCHEDULE:
        if stop.wait(max(0.0, start + fault.at * seconds - time.monotonic())):
            return
        print(f"[{time.monotonic() - start:6.1f} s] {fault.name}", file=sys.stderr)
        fault.run(cluster)


def _drain(cluster: SoakCluster) -> bool:
    """Until no webhook action is queued or running, or DRAIN_S has passed."""
    deadline = time.monotonic() + DRAIN_S
    url = cluster.postgres.url.replace("+psycopg", "")
    query = "SELECT count(*) FROM actions WHERE status IN ('queued', 'running')"
    while time.monotonic() < deadline:
        with psycopg.connect(url, autocommit=True) as connection:
            row = connection.execute(query).fetchone()
        if row is not None and row[0] == 0:
            return True
        time.sleep(1)
    return False


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=20.0, help="posts per second")
    arguments = parser.parse_args()
    if not 0 < arguments.minutes <= 120 or not 0 < arguments.rate <= 500:
        parser.error("--minutes is at most 120 and --rate at most 500")
    return arguments


if __name__ == "__main__":
    options = _arguments()
    sys.exit(main(options.minutes, options.rate))
