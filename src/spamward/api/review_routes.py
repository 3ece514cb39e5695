"""The review queue: list, read with context, resolve."""

from __future__ import annotations

from typing import Any

from spamward.api.http import ApiCall, Operation
from spamward.api.remediation_schemas import ResolveIn, ReviewItemOut, ReviewItemsOut, ReviewQuery
from spamward.services import reviews
from spamward.services.lists import NewEntry


def get_review_items(call: ApiCall) -> tuple[int, Any]:
    project_id = call.project_id()
    q = call.params(ReviewQuery)
    items = reviews.review_items(call.runtime, project_id, q.status, q.kind, q.limit, q.offset)
    return 200, {"items": items}


def get_review_item(call: ApiCall) -> tuple[int, Any]:
    project_id = call.project_id()
    item_id = call.path_uuid("item_id", "review item")
    return 200, reviews.review_item(call.runtime, project_id, item_id)


def resolve_item(call: ApiCall) -> tuple[int, Any]:
    caller = call.caller()
    item_id = call.path_uuid("item_id", "review item")
    body = call.json(ResolveIn)
    answer = reviews.Answer(
        body.resolution,
        body.note,
        [NewEntry(e.kind, e.value) for e in body.deny],
        [NewEntry(e.kind, e.value) for e in body.allow],
    )
    return 200, reviews.resolve(call.runtime, caller.project_id, item_id, answer, caller.who)


REVIEW_OPERATIONS = (
    Operation("GET", "/v1/reviews", get_review_items,
              "The review queue, oldest first (open items unless status says otherwise)",
              ReviewItemsOut, query=ReviewQuery),
    Operation("GET", "/v1/reviews/{item_id}", get_review_item,
              "A review item with its post, decision trace, action and the user's recent spam",
              ReviewItemOut, errors=(401, 404)),
    Operation("POST", "/v1/reviews/{item_id}/resolve", resolve_item,
              "Approve (not spam), reject (spam) or retry; optionally list entities",
              ReviewItemOut, body=ResolveIn, errors=(400, 401, 404, 409, 413, 415, 422)),
)  # fmt: skip
