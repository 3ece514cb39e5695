"""A backtest over the YouTube Spam Collection replay: the draft adds one phrase rule to the
live (default) policy, so the verdicts that change are exactly the posts the phrase matches
that the live policy let through. The report is checked against that count, computed here
from the answers and the CSVs, and the share of changes that are labelled spam is printed
with the suite scores."""

from __future__ import annotations

import csv
import re
from typing import Any

from starlette.testclient import TestClient

from spamward.domain.verdict import Verdict
from spamward.policy.defaults import default_document
from spamward.runtime import Runtime
from tests.conftest import ApiProject, Clock, ScoreRecorder, corpus_file
from tests.test_youtube_replay import (
    CORPUS,
    VIDEOS,
    Comment,
    comment_of,
    just_after,
    post_comment,
)

PHRASES = r"check out|subscribe|my channel"
PROMO_RULE = {
    "name": "promo_phrases",
    "description": "Self-promotion phrases.",
    "condition": f'matches(event.text, "(?i){PHRASES}")',
    "verdict": "flag",
    "reason": "self-promotion",
}


def labelled_comments() -> list[tuple[Comment, bool]]:
    found = []
    for video in VIDEOS:
        with corpus_file(CORPUS, video).open(encoding="utf-8", newline="") as handle:
            found += [
                (comment_of(row), row["CLASS"] == "1")
                for row in csv.DictReader(handle)
                if row["DATE"]
            ]
    return found


def post(client: TestClient, project: ApiProject, comment: Comment) -> str:
    return post_comment(client, project, comment).verdict


def run_backtest(client: TestClient, project: ApiProject, runtime: Runtime, policy: Any) -> Any:
    started = client.post(
        "/v1/policy/backtests", json={"days": 14, "policy": policy}, headers=project.headers
    )
    assert started.status_code == 202, started.text
    runtime.jobs.drain()
    job = client.get(f"/v1/policy/backtests/{started.json()['id']}", headers=project.headers)
    assert job.json()["status"] == "done", job.json()
    return job.json()


def test_backtest_of_a_phrase_rule_over_the_youtube_replay(
    client: TestClient,
    project: ApiProject,
    runtime: Runtime,
    clock: Clock,
    suite_score: ScoreRecorder,
) -> None:
    comments = labelled_comments()
    clock.now = just_after([comment for comment, _ in comments])
    answered = [(post(client, project, comment), comment, spam) for comment, spam in comments]
    draft = default_document().dump()
    draft["rules"].append(PROMO_RULE)

    job = run_backtest(client, project, runtime, draft)

    phrase = re.compile(PHRASES, re.IGNORECASE)
    flagged = [
        (verdict, spam)
        for verdict, comment, spam in answered
        if phrase.search(comment.text) and Verdict(verdict).severity < Verdict.FLAG.severity
    ]
    report = job["report"]
    assert report["events"] == job["total_events"] == job["done_events"] == len(comments)
    assert report["changed"] == len(flagged)
    assert [(c["from"], c["to"], c["count"]) for c in report["changes"]] == [
        ("allow", "flag", len(flagged))
    ]
    assert report["rule_hits"]["promo_phrases"] == sum(
        1 for _, comment, _ in answered if phrase.search(comment.text)
    )
    examples = report["changes"][0]["examples"]
    assert examples and all(phrase.search(example["text"]) for example in examples)
    assert all(
        any(r.startswith("promo_phrases: ") for r in example["reasons"]) for example in examples
    )
    spam_share = sum(1 for _, spam in flagged if spam)
    suite_score(
        "backtest: youtube posts newly flagged that are spam", spam_share, len(flagged), 0.9
    )


def test_backtest_of_the_live_policy_changes_nothing(
    client: TestClient, project: ApiProject, runtime: Runtime, clock: Clock
) -> None:
    comments = labelled_comments()[:200]
    clock.now = just_after([comment for comment, _ in comments])
    for comment, _ in comments:
        post(client, project, comment)

    job = run_backtest(client, project, runtime, None)

    assert job["report"]["events"] == 200
    assert job["report"]["changed"] == 0
