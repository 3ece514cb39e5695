"""The default policy, shipped as YAML in the package: the same format as an export."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

import yaml

from spamward.policy.compiled import Policy, compile_policy, parse_document
from spamward.policy.document import PolicyDocument


@cache
def default_document() -> PolicyDocument:
    text = files("spamward.policy").joinpath("default.yaml").read_text(encoding="utf-8")
    return parse_document(yaml.safe_load(text))


def default_policy() -> Policy:
    return compile_policy(default_document())
