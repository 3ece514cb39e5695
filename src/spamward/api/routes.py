"""The API's operations: each handler parses, scopes to the key's project, calls one service."""

from __future__ import annotations

from typing import Any

from spamward.api.account_routes import ACCOUNT_OPERATIONS
from spamward.api.action_routes import ACTION_OPERATIONS
from spamward.api.audit_routes import AUDIT_OPERATIONS
from spamward.api.challenge_routes import CHALLENGE_OPERATIONS
from spamward.api.http import ApiCall, Operation
from spamward.api.ip_list_routes import IP_LIST_OPERATIONS
from spamward.api.label_routes import LABEL_OPERATIONS
from spamward.api.policy_routes import POLICY_OPERATIONS
from spamward.api.review_routes import REVIEW_OPERATIONS
from spamward.api.schemas import DecisionOut, EventIn
from spamward.api.spam_manager_routes import SPAM_MANAGER_OPERATIONS
from spamward.observability.decision_watch import watching_decision
from spamward.services import decisions


async def post_event(call: ApiCall) -> tuple[int, Any]:
    project_id = call.project_id()
    body = call.json(EventIn)
    event = body.to_event(call.runtime.clock())
    with watching_decision(project_id) as watch:
        record = await decisions.decide_on_loop(
            call.runtime, project_id, event, body.challenge_token
        )
        watch.answered(event.type, record)
    return 200, record.to_json()


def get_decision(call: ApiCall) -> tuple[int, Any]:
    project_id = call.project_id()
    decision_id = call.path_uuid("decision_id", "decision")
    return 200, decisions.get_decision(call.runtime, project_id, decision_id).to_json()


OPERATIONS = (
    Operation(
        "POST", "/v1/events", post_event, "Judge a user action and record the decision",
        DecisionOut, body=EventIn, errors=(400, 401, 413, 415, 422), ingest=True,
    ),
    Operation(
        "GET", "/v1/decisions/{decision_id}", get_decision, "Read a stored decision",
        DecisionOut, errors=(401, 404), ingest=True,
    ),
    *CHALLENGE_OPERATIONS,
    *SPAM_MANAGER_OPERATIONS,
    *AUDIT_OPERATIONS,
    *POLICY_OPERATIONS,
    *ACCOUNT_OPERATIONS,
    *IP_LIST_OPERATIONS,
    *LABEL_OPERATIONS,
    *ACTION_OPERATIONS,
    *REVIEW_OPERATIONS,
)  # fmt: skip
