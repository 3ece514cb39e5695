"""Accounts: read and set the status spamward keeps for a site's user."""

from __future__ import annotations

from typing import Any

from spamward.api.http import ApiCall, Operation
from spamward.api.schemas import AccountOut, AccountStatusIn
from spamward.services import accounts


def get_account(call: ApiCall) -> tuple[int, Any]:
    project_id = call.project_id()
    user_id = str(call.path_params["user_id"])
    return 200, accounts.get_account(call.runtime, project_id, user_id).to_json()


def put_account_status(call: ApiCall) -> tuple[int, Any]:
    caller = call.caller()
    body = call.json(AccountStatusIn)
    view = accounts.set_account_status(
        call.runtime, caller.project_id, str(call.path_params["user_id"]), body.status,
        caller.who, body.note,
    )  # fmt: skip
    return 200, view.to_json()


ACCOUNT_OPERATIONS = (
    Operation("GET", "/v1/users/{user_id}", get_account,
              "A user's account status as spamward keeps it", AccountOut, errors=(401, 404)),
    Operation("PUT", "/v1/users/{user_id}/status", put_account_status,
              "Set a user's account status (rules read it as actor.status)", AccountOut,
              body=AccountStatusIn, errors=(400, 401, 413, 415, 422)),
)  # fmt: skip
