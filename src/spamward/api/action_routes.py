"""Actions: run one by hand, the actions log, retry, figures; a project's defined actions;
and where actions go (the site's webhook, the admins)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from spamward.api.http import ApiCall, Operation
from spamward.api.remediation_schemas import (
    ActionLogQuery,
    ActionOut,
    ActionRunIn,
    ActionsOut,
    DefinedActionIn,
    DefinedActionOut,
    DefinedActionsOut,
    MetricsOut,
    MetricsQuery,
    RemediationSettingsOut,
    RemediationSettingsPatch,
)
from spamward.errors import NotFound
from spamward.remediation.catalog import ActionKind
from spamward.services import actions, defined_actions, remediation_settings
from spamward.storage.repositories.actions import LogFilter


def post_action(call: ApiCall) -> tuple[int, Any]:
    caller = call.caller()
    body = call.json(ActionRunIn)
    entity = (body.entity.kind, body.entity.value) if body.entity else None
    target = actions.ManualTarget(body.user_id, body.event_id, entity)
    shown = actions.run_action(call.runtime, caller.project_id, body.action, target, caller.who,
                               body.note, dict(body.params))  # fmt: skip
    return 202, shown


def get_actions(call: ApiCall) -> tuple[int, Any]:
    project_id = call.project_id()
    q = call.params(ActionLogQuery)
    where = LogFilter(q.status, q.action, q.user_id, q.rule, q.event_id, q.since, q.until)
    return 200, {"actions": actions.action_log(call.runtime, project_id, where, q.limit, q.offset)}


def get_action(call: ApiCall) -> tuple[int, Any]:
    project_id = call.project_id()
    action_id = call.path_uuid("action_id", "action")
    return 200, actions.get_action(call.runtime, project_id, action_id)


def retry_action(call: ApiCall) -> tuple[int, Any]:
    caller = call.caller()
    action_id = call.path_uuid("action_id", "action")
    return 202, actions.retry_action(call.runtime, caller.project_id, action_id, caller.who)


def get_metrics(call: ApiCall) -> tuple[int, Any]:
    project_id = call.project_id()
    since = call.runtime.clock() - timedelta(hours=call.params(MetricsQuery).hours)
    return 200, actions.remediation_metrics(call.runtime, project_id, since)


def get_defined(call: ApiCall) -> tuple[int, Any]:
    project_id = call.project_id()
    catalog = {kind.value: kind.params_model.model_json_schema() for kind in ActionKind}
    defined = defined_actions.list_defined(call.runtime, project_id)
    return 200, {"defined_actions": defined, "catalog": catalog}


def put_defined(call: ApiCall) -> tuple[int, Any]:
    caller = call.caller()
    name = _action_name(call)
    body = call.json(DefinedActionIn)
    shown = defined_actions.put_defined(
        call.runtime, caller.project_id, name, body.action, dict(body.params), body.description,
        caller.who,
    )  # fmt: skip
    return 200, shown


def delete_defined(call: ApiCall) -> tuple[int, Any]:
    caller = call.caller()
    defined_actions.delete_defined(call.runtime, caller.project_id, _action_name(call), caller.who)
    return 204, None


def _action_name(call: ApiCall) -> str:
    name = str(call.path_params["name"])
    if not (
        name[:1].isascii()
        and name[:1].islower()
        and len(name) <= 63
        and all(c.isascii() and (c.isalnum() or c == "_") and not c.isupper() for c in name)
    ):
        raise NotFound(f"no defined action named {name!r}")  # fmt: skip
    return name


def get_remediation_settings(call: ApiCall) -> tuple[int, Any]:
    return 200, remediation_settings.get_remediation_settings(call.runtime, call.project_id())


def patch_remediation_settings(call: ApiCall) -> tuple[int, Any]:
    caller = call.caller()
    body = call.json(RemediationSettingsPatch)
    changes = {
        name: str(value) if name.endswith("_url") and value is not None else value
        for name, value in body.model_dump(exclude_unset=True).items()
    }
    shown = remediation_settings.update_remediation_settings(
        call.runtime, caller.project_id, changes, caller.who
    )
    return 200, shown


def rotate_secret(call: ApiCall) -> tuple[int, Any]:
    caller = call.caller()
    shown = remediation_settings.rotate_webhook_secret(call.runtime, caller.project_id, caller.who)
    return 200, shown


ACTION_OPERATIONS = (
    Operation("POST", "/v1/actions", post_action,
              "Run a defined (or catalog) action on a user, a post or an entity", ActionOut,
              status=202, body=ActionRunIn, errors=(400, 401, 404, 413, 415, 422)),
    Operation("GET", "/v1/actions", get_actions,
              "The actions log, newest first: filter by status (failed...), action, user, rule, "
              "event, time", ActionsOut, query=ActionLogQuery),
    Operation("GET", "/v1/actions/metrics", get_metrics,
              "Done, skipped, failed and retried actions by kind, mean time to remediate, "
              "queue depth", MetricsOut, query=MetricsQuery),
    Operation("GET", "/v1/actions/{action_id}", get_action,
              "One action with its attempts", ActionOut, errors=(401, 404)),
    Operation("POST", "/v1/actions/{action_id}/retry", retry_action,
              "Queue a failed or skipped action again", ActionOut, status=202,
              errors=(401, 404, 409)),
    Operation("GET", "/v1/defined-actions", get_defined,
              "The project's defined actions, and the catalog they draw on", DefinedActionsOut),
    Operation("PUT", "/v1/defined-actions/{name}", put_defined,
              "Define (or change) a named action: a catalog action with fixed parameters",
              DefinedActionOut, body=DefinedActionIn, errors=(400, 401, 404, 409, 413, 415, 422)),
    Operation("DELETE", "/v1/defined-actions/{name}", delete_defined,
              "Delete a defined action no rule uses", None, status=204, errors=(401, 404, 409)),
    Operation("GET", "/v1/remediation-settings", get_remediation_settings,
              "Where actions go: the site's webhook, the admins", RemediationSettingsOut),
    Operation("PATCH", "/v1/remediation-settings", patch_remediation_settings,
              "Change where actions go (the first webhook URL gets a signing secret, shown once)",
              RemediationSettingsOut, body=RemediationSettingsPatch,
              errors=(400, 401, 413, 415, 422)),
    Operation("POST", "/v1/remediation-settings/webhook-secret", rotate_secret,
              "Rotate the webhook signing secret (the new one is shown once)",
              RemediationSettingsOut, errors=(401,)),
)  # fmt: skip
