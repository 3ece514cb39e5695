"""Policy operations: rules of the draft, validate, publish, versions, rollback, backtests
and the shadow report. Rule and document bodies are checked by the policy service itself,
so a problem points at the rule, field, line and column."""

from __future__ import annotations

from typing import Any

from spamward.api.http import ApiCall, Operation
from spamward.api.policy_schemas import (
    BacktestIn,
    BacktestOut,
    DaysQuery,
    DocumentToCheck,
    PolicyOut,
    PublishIn,
    RollbackIn,
    RulesOut,
    ShadowReportOut,
    ValidationOut,
    VersionDocumentOut,
    VersionOut,
    VersionsOut,
)
from spamward.errors import ValidationFailed
from spamward.policy.document import PolicyDocument, RuleSpec, Scoring
from spamward.services import backtests, policies, shadow


def get_policy(call: ApiCall) -> tuple[int, Any]:
    view = policies.overview(call.runtime, call.project_id())
    return 200, {
        "live_version": view.live_version,
        "unpublished_changes": view.unpublished_changes,
        "draft": view.draft.dump(),
    }


def put_policy(call: ApiCall) -> tuple[int, Any]:
    caller = call.caller()
    document = policies.replace_draft(
        call.runtime, caller.project_id, call.json_value(), caller.who
    )
    return 200, document.dump()


def validate_policy(call: ApiCall) -> tuple[int, Any]:
    call.caller()
    document = call.json_value()
    if not isinstance(document, dict):
        raise ValidationFailed("the body is a policy document: a JSON object")
    problems = policies.problems_in(call.runtime, document)
    return 200, {"valid": not problems, "problems": problems}


def put_scoring(call: ApiCall) -> tuple[int, Any]:
    caller = call.caller()
    scoring = call.json(Scoring)
    document = policies.set_scoring(call.runtime, caller.project_id, scoring, caller.who)
    return 200, document.dump()


def get_rules(call: ApiCall) -> tuple[int, Any]:
    document = policies.draft(call.runtime, call.project_id())
    ordered = sorted(document.rules, key=lambda rule: (rule.priority, rule.name))
    return 200, {"rules": [rule.model_dump(mode="json") for rule in ordered]}


def post_rule(call: ApiCall) -> tuple[int, Any]:
    caller = call.caller()
    rule = policies.add_rule(call.runtime, caller.project_id, call.json_value(), caller.who)
    return 201, rule.model_dump(mode="json")


def get_rule(call: ApiCall) -> tuple[int, Any]:
    rule = policies.get_rule(call.runtime, call.project_id(), call.path_params["name"])
    return 200, rule.model_dump(mode="json")


def put_rule(call: ApiCall) -> tuple[int, Any]:
    caller = call.caller()
    name = call.path_params["name"]
    rule = policies.replace_rule(
        call.runtime, caller.project_id, name, call.json_value(), caller.who
    )
    return 200, rule.model_dump(mode="json")


def delete_rule(call: ApiCall) -> tuple[int, Any]:
    caller = call.caller()
    policies.delete_rule(call.runtime, caller.project_id, call.path_params["name"], caller.who)
    return 204, None


def publish(call: ApiCall) -> tuple[int, Any]:
    caller = call.caller()
    note = call.json(PublishIn).note if call.body else ""
    return 201, policies.publish(call.runtime, caller.project_id, caller.who, note).to_json()


def rollback(call: ApiCall) -> tuple[int, Any]:
    caller = call.caller()
    number = call.json(RollbackIn).version
    return 201, policies.rollback(call.runtime, caller.project_id, number, caller.who).to_json()


def get_versions(call: ApiCall) -> tuple[int, Any]:
    views = policies.versions(call.runtime, call.project_id())
    return 200, {"versions": [view.to_json() for view in views]}


def get_version(call: ApiCall) -> tuple[int, Any]:
    project_id = call.project_id()
    number = call.path_int("number", "policy version")
    view, document = policies.version(call.runtime, project_id, number)
    return 200, {**view.to_json(), "document": document.dump()}


def post_backtest(call: ApiCall) -> tuple[int, Any]:
    project_id = call.project_id()
    body = call.json(BacktestIn) if call.body else BacktestIn()
    return 202, backtests.start_backtest(call.runtime, project_id, body.policy, body.days)


def get_backtest(call: ApiCall) -> tuple[int, Any]:
    project_id = call.project_id()
    job_id = call.path_uuid("backtest_id", "backtest")
    return 200, backtests.get_backtest(call.runtime, project_id, job_id)


def get_shadow_report(call: ApiCall) -> tuple[int, Any]:
    project_id = call.project_id()
    days = call.params(DaysQuery).days
    return 200, shadow.shadow_report(call.runtime, project_id, days)


_BODY_ERRORS = (400, 401, 413, 415, 422)

POLICY_OPERATIONS = (
    Operation("GET", "/v1/policy", get_policy,
              "The draft policy, the live version, and whether the draft is unpublished",
              PolicyOut, errors=(401,)),
    Operation("PUT", "/v1/policy", put_policy,
              "Replace the whole draft (import); checked in full first", PolicyDocument,
              body=PolicyDocument, errors=_BODY_ERRORS),
    Operation("POST", "/v1/policy/validate", validate_policy,
              "Check a policy document without storing it", ValidationOut,
              body=DocumentToCheck, errors=_BODY_ERRORS),
    Operation("PUT", "/v1/policy/scoring", put_scoring,
              "Set the draft's score thresholds", PolicyDocument, body=Scoring,
              errors=_BODY_ERRORS),
    Operation("POST", "/v1/policy/publish", publish,
              "Publish the draft as a new version, live at once", VersionOut, status=201,
              body=PublishIn, errors=_BODY_ERRORS),
    Operation("POST", "/v1/policy/rollback", rollback,
              "Publish an earlier version again (as a new version) and make it the draft",
              VersionOut, status=201, body=RollbackIn, errors=(*_BODY_ERRORS, 404)),
    Operation("GET", "/v1/policy/versions", get_versions, "Published versions, newest first",
              VersionsOut, errors=(401,)),
    Operation("GET", "/v1/policy/versions/{number}", get_version,
              "One published version with its document", VersionDocumentOut, errors=(401, 404)),
    Operation("POST", "/v1/policy/backtests", post_backtest,
              "Replay a policy (the draft by default) over the last N days, as a job",
              BacktestOut, status=202, body=BacktestIn, errors=_BODY_ERRORS),
    Operation("GET", "/v1/policy/backtests/{backtest_id}", get_backtest,
              "A backtest's progress, then its report", BacktestOut, errors=(401, 404)),
    Operation("GET", "/v1/policy/shadow", get_shadow_report,
              "How often each shadow rule hit, and what it would have changed",
              ShadowReportOut, query=DaysQuery),
    Operation("GET", "/v1/rules", get_rules, "The draft's rules, in the order they run",
              RulesOut, errors=(401,)),
    Operation("POST", "/v1/rules", post_rule, "Add a rule to the draft", RuleSpec, status=201,
              body=RuleSpec, errors=(*_BODY_ERRORS, 409)),
    Operation("GET", "/v1/rules/{name}", get_rule, "One rule of the draft", RuleSpec,
              errors=(401, 404)),
    Operation("PUT", "/v1/rules/{name}", put_rule, "Replace a rule of the draft", RuleSpec,
              body=RuleSpec, errors=(*_BODY_ERRORS, 404, 409)),
    Operation("DELETE", "/v1/rules/{name}", delete_rule, "Delete a rule from the draft", None,
              status=204, errors=(401, 404)),
)  # fmt: skip
