"""IP/CIDR allow and deny lists."""

from __future__ import annotations

from typing import Any

from spamward.api.http import ApiCall, Operation
from spamward.api.schemas import IpEntriesOut, IpEntryIn, IpEntryOut, PageQuery
from spamward.domain.decision import ListName
from spamward.errors import NotFound
from spamward.services import ip_lists


def add_ip_entry(call: ApiCall) -> tuple[int, Any]:
    caller = call.caller()
    body = call.json(IpEntryIn)
    view = ip_lists.add_ip_entry(
        call.runtime, caller.project_id, _list(call), body.value, body.note, caller.who
    )
    return 201, view.to_json()


def get_ip_entries(call: ApiCall) -> tuple[int, Any]:
    project_id = call.project_id()
    page = call.params(PageQuery)
    views = ip_lists.ip_entries(call.runtime, project_id, _list(call), page.limit, page.offset)
    return 200, {"entries": [view.to_json() for view in views]}


def delete_ip_entry(call: ApiCall) -> tuple[int, Any]:
    caller = call.caller()
    entry_id = call.path_int("entry_id", "entry on this list")
    ip_lists.remove_ip_entry(call.runtime, caller.project_id, _list(call), entry_id, caller.who)
    return 204, None


def _list(call: ApiCall) -> ListName:
    name = call.path_params["list"]
    if name not in ("allow", "deny"):
        raise NotFound(f"no IP list named {name!r}: allow or deny")
    return ListName(name)


IP_LIST_OPERATIONS = (
    Operation("POST", "/v1/ip-lists/{list}", add_ip_entry,
              "Put an IP address or CIDR network on the allow or deny list", IpEntryOut,
              status=201, body=IpEntryIn, errors=(400, 401, 404, 409, 413, 415, 422)),
    Operation("GET", "/v1/ip-lists/{list}", get_ip_entries, "An IP list, newest first",
              IpEntriesOut, query=PageQuery, errors=(401, 404, 422)),
    Operation("DELETE", "/v1/ip-lists/{list}/{entry_id}", delete_ip_entry,
              "Take an entry off an IP list", None, status=204, errors=(401, 404)),
)  # fmt: skip
