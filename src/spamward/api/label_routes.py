"""Labels: a moderator's answer on a post, spam or not, kept for training."""

from __future__ import annotations

from typing import Any

from spamward.api.http import ApiCall, Operation
from spamward.api.schemas import LabelIn, LabelsOut, PageQuery
from spamward.services import labels


def post_label(call: ApiCall) -> tuple[int, Any]:
    caller = call.caller()
    body = call.json(LabelIn)
    labels.label_post(call.runtime, caller.project_id, body.event_id, body.spam, caller.who)
    return 204, None


def get_labels(call: ApiCall) -> tuple[int, Any]:
    project_id = call.project_id()
    page = call.params(PageQuery)
    views = labels.recent_labels(call.runtime, project_id, page.limit, page.offset)
    return 200, {"labels": [view.to_json() for view in views]}


LABEL_OPERATIONS = (
    Operation("POST", "/v1/labels", post_label,
              "Label a post spam or not (overrides a label a list action inferred)", None,
              status=204, body=LabelIn, errors=(400, 401, 404, 413, 415, 422)),
    Operation("GET", "/v1/labels", get_labels, "Labels, newest first", LabelsOut,
              query=PageQuery, errors=(401, 422)),
)  # fmt: skip
