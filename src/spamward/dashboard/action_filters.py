"""The actions log's filters, read from the query string: status, action, user, rule and
a range of days (since the first day's start, until the last day's end, UTC). A filter
that cannot be read is named in `problems` and left out, never an error page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from spamward.dashboard.pages import Page
from spamward.dashboard.users_actions_shared import MAX_USER_ID, storable
from spamward.storage.repositories.actions import STATUSES, LogFilter

TEXT_FILTERS = {"action": 64, "user": MAX_USER_ID, "rule": 64}
FILTERS = ("status", *TEXT_FILTERS, "since", "until")


@dataclass(frozen=True, slots=True)
class LogQuery:
    where: LogFilter
    values: dict[str, str]  # what the form shows again
    problems: list[str] = field(default_factory=list)


def log_query(view: Page) -> LogQuery:
    problems: list[str] = []
    values = {name: view.query(name).strip() for name in FILTERS}
    for name, max_length in TEXT_FILTERS.items():
        if not storable(values[name], max_length):
            problems.append(f"{name}: at most {max_length} characters, no NUL character")
            values[name] = ""
    if values["status"] and values["status"] not in STATUSES:
        problems.append(f"status: one of {', '.join(STATUSES)}")
        values["status"] = ""
    since, until = _day(values, "since", problems), _day(values, "until", problems)
    where = LogFilter(
        status=values["status"] or None,
        name=values["action"] or None,
        user_id=values["user"] or None,
        rule=values["rule"] or None,
        since=since,
        until=until + timedelta(days=1) if until is not None else None,  # the whole last day
    )
    return LogQuery(where, values, problems)


def _day(values: dict[str, str], name: str, problems: list[str]) -> datetime | None:
    if not values[name]:
        return None
    try:
        day = date.fromisoformat(values[name])
    except ValueError:
        problems.append(f"{name}: a date such as 2026-03-02")
        values[name] = ""
        return None
    if not 2000 <= day.year <= 9998:
        problems.append(f"{name}: a date between the years 2000 and 9998")
        values[name] = ""
        return None
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
