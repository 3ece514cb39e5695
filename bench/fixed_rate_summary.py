"""What a fixed-rate run did to each request, and the figures the report prints from it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Outcomes:
    """Per request, in seconds after the start: when it was due, when it left, when its
    answer (or its failure) came, and the status (0: no HTTP answer)."""

    planned_s: list[float]
    sent_s: list[float | None] = field(init=False)
    answered_s: list[float | None] = field(init=False)
    status: list[int] = field(init=False)

    def __post_init__(self) -> None:
        count = len(self.planned_s)
        self.sent_s, self.answered_s, self.status = [None] * count, [None] * count, [0] * count

    def latency_s(self, index: int) -> float:
        """From when the request was due to its answer; from when it left if that was
        earlier (the event loop's timers wake up to a millisecond early)."""
        sent, answered = self.sent_s[index], self.answered_s[index]
        assert sent is not None and answered is not None
        return answered - min(self.planned_s[index], sent)

    def send_lag_s(self, index: int) -> float:
        """How late the request left, waiting for a free connection or the event loop."""
        sent = self.sent_s[index]
        assert sent is not None
        return max(0.0, sent - self.planned_s[index])


@dataclass(frozen=True, slots=True)
class FixedRateRun:
    rate: float  # the planned requests/s
    seconds: float  # the schedule's length
    connections: int
    planned: int
    ok: int  # 2xx answers
    non_2xx: int
    errors: int  # no HTTP answer: the connection failed
    unanswered: int  # not answered by the cut-off
    achieved_per_s: float  # 2xx answers over the schedule (or until the last answer)
    latency_p50_ms: float  # from the planned time to the answer (Outcomes.latency_s)
    latency_p99_ms: float
    latency_max_ms: float
    send_lag_p99_ms: float  # how late requests left, for want of a free connection

    @property
    def problems(self) -> str | None:
        counts = {"non-2xx": self.non_2xx, "errors": self.errors, "unanswered": self.unanswered}
        found = [f"{count} {what}" for what, count in counts.items() if count]
        return ", ".join(found) or None


def summarise(outcomes: Outcomes, rate: float, seconds: float, connections: int) -> FixedRateRun:
    answered = [i for i, status in enumerate(outcomes.status) if status]
    ok = sum(1 for i in answered if 200 <= outcomes.status[i] < 300)
    latencies = [outcomes.latency_s(i) for i in answered]
    lags = [outcomes.send_lag_s(i) for i, sent in enumerate(outcomes.sent_s) if sent is not None]
    finished = [at for at in outcomes.answered_s if at is not None]
    return FixedRateRun(
        rate=rate,
        seconds=seconds,
        connections=connections,
        planned=len(outcomes.planned_s),
        ok=ok,
        non_2xx=len(answered) - ok,
        errors=len(finished) - len(answered),
        unanswered=len(outcomes.planned_s) - len(finished),
        achieved_per_s=ok / max([seconds, *finished]),
        latency_p50_ms=percentile(latencies, 0.50) * 1000,
        latency_p99_ms=percentile(latencies, 0.99) * 1000,
        latency_max_ms=max(latencies, default=0.0) * 1000,
        send_lag_p99_ms=percentile(lags, 0.99) * 1000,
    )


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile (as bench/timing.py takes it); 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]
