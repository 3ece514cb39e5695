"""Dashboard: the overview, a page of charts over the project's figures
(services/overview.py), drawn as inline SVG (charts.py, templates/overview_chart.html)."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from spamward.dashboard.charts import WIDE, Axes, Chart, Series, columns, rows
from spamward.dashboard.pages import Page, View, page
from spamward.services import overview as figures
from spamward.services.overview import Figures, Latency, VerdictSeries

KIND_NAMES = {"domain": "Domains", "url": "URLs", "email": "E-mail addresses",
              "phone": "Phone numbers", "text": "Duplicate texts"}  # fmt: skip
ACTION_OUTCOMES = ("done", "skipped", "failed")


@page()
def overview(view: Page) -> View:
    span = figures.SPANS.get(view.query("span"), figures.DEFAULT_SPAN)
    found = figures.overview(view.runtime, view.project_id, span)
    charts = [verdict_chart(found.verdicts), entity_chart(found), domain_chart(found),
              latency_chart(found.latency), action_chart(found)]  # fmt: skip
    ages = {"review": age(found.oldest_review_age_seconds),
            "action": age(found.action_queue.get("oldest_age_seconds"))}  # fmt: skip
    return View("overview.html", {"figures": found, "charts": charts, "span": span,
                                  "spans": list(figures.SPANS.values()), "ages": ages})  # fmt: skip


def verdict_chart(series: VerdictSeries) -> Chart:
    daily = series.span.bucket_hours == 24
    when = "%Y-%m-%d" if daily else "%Y-%m-%d %H:00"
    names = [start.strftime(when) for start in series.starts]
    return columns(
        "verdicts", f"Decisions by verdict — {series.span.label.lower()} (UTC)",
        "Decisions answered in each " + ("day" if daily else "hour") + ", stacked by verdict "
        "from the mildest (allow, at the bottom) to the most severe (block).",
        names, [Series(verdict, f"fill-verdict-{verdict}", values)
                for verdict, values in series.counts.items()],
        Axes("Day (UTC)" if daily else "Hour (UTC)", "Decisions"),
        [start.strftime("%b %d") for start in series.starts] if daily else _hour_labels(series),
        width=WIDE, legend=True,
    )  # fmt: skip


def _hour_labels(series: VerdictSeries) -> list[str]:
    return [
        (start.strftime("%b %d") if start.hour == 0 else start.strftime("%H:00"))
        if start.hour % 6 == 0 else ""
        for start in series.starts
    ]  # fmt: skip


def entity_chart(found: Figures) -> Chart:
    days = found.window_days
    return columns(
        "entities", f"Spam entities by kind — on no list, posted in the last {days} days",
        "How many entities of each kind wait in the Spam Manager's tabs: posted inside the "
        "window and neither allowed, denied nor ignored (duplicate texts once posted twice).",
        [KIND_NAMES[kind] for kind, _ in found.entities],
        [Series("entities", "fill-entity", [entities for _, entities in found.entities])],
        Axes("Kind", "Entities"),
    )  # fmt: skip


def domain_chart(found: Figures) -> Chart:
    return rows(
        "domains", f"Top {figures.TOP_DOMAINS} domains by posts — on no list, last "
        f"{found.window_days} days",
        "The most posted domains that are on no list yet, with their posts in the window.",
        [display for display, _, _ in found.top_domains],
        [Series("posts", "fill-domain", [posts for _, posts, _ in found.top_domains])],
        Axes("Domain", "Posts"),
    )  # fmt: skip


def latency_chart(latency: Latency) -> Chart:
    values = [latency.p50_us or 0.0, latency.p99_us or 0.0]
    sample = f"the latest {latency.sampled:,} decisions of the last {figures.LATENCY_HOURS} hours"
    return rows(
        "latency", f"Decision latency — {sample}",
        "The time spamward took to judge an event: half the decisions took at most the median "
        "(p50), 99 in 100 at most p99.",
        ["median (p50)", "99th percentile (p99)"],
        [Series("latency", "fill-latency", values)],
        Axes("Percentile", "Time to decide", duration),
    )  # fmt: skip


def action_chart(found: Figures) -> Chart:
    kinds = sorted(found.actions)
    return rows(
        "actions", f"Actions by kind and outcome — last {figures.ACTION_HOURS} hours",
        "Actions that finished, per catalog action: done, skipped (nothing to do, or not "
        "configured) and failed after their retries.",
        kinds,
        [Series(status, f"fill-action-{status}",
                [found.actions[kind].get(status, 0) for kind in kinds])
         for status in ACTION_OUTCOMES],
        Axes("Action", "Actions"), legend=True,
    )  # fmt: skip


def duration(microseconds: float) -> str:
    if microseconds < 1_000:
        return f"{microseconds:,.0f} µs"
    if microseconds < 1_000_000:
        return f"{microseconds / 1_000:,.1f} ms"
    return f"{microseconds / 1_000_000:,.2f} s"


def age(seconds: float | None) -> str:
    """How long ago, roughly: '3 min', '5 h 12 min', '2 days 4 h'."""
    if seconds is None:
        return "—"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min"
    days, hours = divmod(hours, 24)
    return f"{days} day{'s' if days != 1 else ''} {hours} h"


ROUTES: list[BaseRoute] = [Route("/overview", overview)]
