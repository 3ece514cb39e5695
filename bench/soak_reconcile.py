"""After the soak: what was answered against what was stored, what was asked of the
workers against what they did, and what the site's webhook receiver saw."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import psycopg
from tests.receivers import WebhookReceiver

from bench.soak_load import Answers


@dataclass(frozen=True, slots=True)
class Reconciliation:
    answered: int
    refused: Counter[str]
    stored_of_answered: int
    answered_not_stored: int
    stored_not_answered: int  # stored, but the answer never reached the sender
    spam_answered: int
    actions_by_status: Counter[str]
    actions_of_spam_answered: int
    failed_and_escalated: int
    failed_not_escalated: int
    deliveries: int
    actions_delivered: int
    keys_answered_2xx_twice: int  # delivered again after the site acknowledged it
    effects_applied: int  # the receiver applies each idempotency key once
    effects_of_undone_actions: int  # applied for an action not recorded done

    @property
    def holds(self) -> bool:
        """Nothing lost, nothing left undone, nothing done twice."""
        settled = {"done", "failed", "skipped"}
        return (
            self.answered_not_stored == 0
            and self.actions_of_spam_answered == self.spam_answered
            and set(self.actions_by_status) <= settled
            and self.failed_not_escalated == 0
            and self.actions_delivered == self.actions_by_status["done"]
            and self.effects_applied == self.actions_by_status["done"]
            and self.effects_of_undone_actions == 0
        )


def reconcile(database_url: str, answers: Answers, receiver: WebhookReceiver) -> Reconciliation:
    with psycopg.connect(database_url.replace("+psycopg", ""), autocommit=True) as connection:
        stored = {str(row[0]) for row in connection.execute("SELECT id FROM decisions")}
        actions = connection.execute(
            "SELECT id, decision_id, status FROM actions WHERE kind = 'call_webhook'"
        ).fetchall()
        escalated = {
            str(row[0])
            for row in connection.execute(
                "SELECT action_id FROM review_items WHERE action_id IS NOT NULL"
            )
        }
    answered = set(answers.decided)
    spam = {decision for decision, is_spam in answers.decided.items() if is_spam}
    statuses = Counter(str(row[2]) for row in actions)
    failed = {str(row[0]) for row in actions if row[2] == "failed"}
    done = {str(row[0]) for row in actions if row[2] == "done"}
    acknowledged = Counter(d.key for d in receiver.deliveries if 200 <= d.status < 300)
    return Reconciliation(
        answered=len(answered),
        refused=answers.refused,
        stored_of_answered=len(answered & stored),
        answered_not_stored=len(answered - stored),
        stored_not_answered=len(stored - answered),
        spam_answered=len(spam),
        actions_by_status=statuses,
        actions_of_spam_answered=sum(1 for row in actions if str(row[1]) in spam),
        failed_and_escalated=len(failed & escalated),
        failed_not_escalated=len(failed - escalated),
        deliveries=len(receiver.deliveries),
        actions_delivered=len(done & set(acknowledged)),
        keys_answered_2xx_twice=sum(1 for count in acknowledged.values() if count > 1),
        effects_applied=len(receiver.applied),
        effects_of_undone_actions=len(set(receiver.applied) - done),
    )


def table(found: Reconciliation) -> str:
    refused = ", ".join(f"{why} {n}" for why, n in found.refused.most_common()) or "none"
    statuses = ", ".join(f"{s} {n}" for s, n in sorted(found.actions_by_status.items()))
    rows = [
        ("decisions answered (HTTP 200)", f"{found.answered:,}"),
        ("… stored", f"{found.stored_of_answered:,}"),
        ("… answered but not stored", f"{found.answered_not_stored:,}"),
        ("stored, answer not received by the sender", f"{found.stored_not_answered:,}"),
        ("requests refused (not answered)", refused),
        ("spam decisions answered (each asks for a webhook call)", f"{found.spam_answered:,}"),
        ("webhook actions of those decisions", f"{found.actions_of_spam_answered:,}"),
        ("webhook actions by status", statuses),
        ("… failed and escalated to review", f"{found.failed_and_escalated:,}"),
        ("… failed, not escalated", f"{found.failed_not_escalated:,}"),
        ("deliveries at the receiver", f"{found.deliveries:,}"),
        ("done actions the receiver acknowledged", f"{found.actions_delivered:,}"),
        (
            "actions delivered again after an acknowledgement (same idempotency key)",
            f"{found.keys_answered_2xx_twice:,}",
        ),
        ("effects applied at the receiver (once per key)", f"{found.effects_applied:,}"),
        ("… for actions not recorded done", f"{found.effects_of_undone_actions:,}"),
        ("reconciled", "yes" if found.holds else "NO"),
    ]
    return "\n".join(["| figure | value |", "| --- | --- |", *(f"| {a} | {b} |" for a, b in rows)])
