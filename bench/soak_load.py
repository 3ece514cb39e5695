"""The soak's traffic: posts at a fixed rate from a few sender threads, every answer kept.

A third of the posts are spam that the soak's rule blocks and answers with a webhook call;
the rest are ordinary. Each answered decision's id is recorded, so the reconciliation can
look for every one of them in the database. A refused request (503 while PostgreSQL is
away, a connection refused while an API process restarts) is counted, not retried: the
site would decide without spamward then.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx

SENDERS = 8
SPAM_EVERY = 3  # one post in this many is spam
TIMEOUT_S = 10.0


@dataclass
class Answers:
    decided: dict[str, bool] = field(default_factory=dict)  # decision id: a spam post?
    refused: Counter[str] = field(default_factory=Counter)  # status or error name: count
    sent: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, spam: bool, outcome: str | None, decision_id: str | None) -> None:
        with self._lock:
            self.sent += 1
            if decision_id is not None:
                self.decided[decision_id] = spam
            else:
                self.refused[outcome or "?"] += 1


def post_number(number: int) -> tuple[bool, dict[str, object]]:
    """The soak's post `number`: whether it is spam, and the event."""
    spam = number % SPAM_EVERY == 0
    text = (f"casino bonus {number}, claim it now" if spam
            else f"Thanks for the write-up, post {number} made my day.")  # fmt: skip
    actor = {"id": f"user-{number % 500}", "ip": f"198.51.100.{number % 250}"}
    return spam, {"type": "post", "actor": actor, "content": {"text": text}}


def send_at_rate(
    url: str, api_key: str, rate: float, seconds: float, stop: threading.Event
) -> Answers:
    """Post `rate` events a second for `seconds` (or until `stop`), on SENDERS threads."""
    answers = Answers()
    start = time.monotonic()
    total = round(rate * seconds)
    numbers = iter(range(total))
    taking = threading.Lock()

    def sender() -> None:
        headers = {"Authorization": f"Bearer {api_key}"}
        with httpx.Client(base_url=url, headers=headers, timeout=TIMEOUT_S) as client:
            while not stop.is_set():
                with taking:
                    number = next(numbers, None)
                if number is None:
                    return
                delay = start + number / rate - time.monotonic()
                if delay > 0 and stop.wait(delay):
                    return
                spam, event = post_number(number)
                answers.record(spam, *_send(client, event))

    threads = [threading.Thread(target=sender, name=f"soak-sender-{n}") for n in range(SENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def _send(client: httpx.Client, event: dict[str, object]) -> tuple[str | None, str | None]:
    """(why it was refused, the decision id): one of the two is None."""
    try:
        response = client.post("/v1/events", json=event)
    except httpx.HTTPError as error:
        return type(error).__name__, None
    if response.status_code != 200:
        return f"HTTP {response.status_code}", None
    return None, str(response.json()["id"])
