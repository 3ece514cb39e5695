"""docs/api-reference.md, written from the OpenAPI document: every operation with its
scope, parameters, body fields and answers, and every schema it names. `spamward openapi
--markdown` prints it; a test keeps the committed file equal to it."""

from __future__ import annotations

from typing import Any

from spamward.api.openapi import build_openapi
from spamward.api.routes import OPERATIONS

_HEADER = """# API reference

Generated from the OpenAPI document (`/openapi.json`) by `spamward openapi --markdown`; do
not edit by hand. [api.md](api.md) explains authentication, limits and errors, and
[concepts.md](concepts.md) what the objects are.
"""


def reference_markdown() -> str:
    spec = build_openapi(OPERATIONS)
    schemas: dict[str, Any] = spec["components"]["schemas"]
    scopes = {(op.method, op.path): op for op in OPERATIONS}
    lines = [_HEADER, "## Operations", ""]
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            lines += _operation(method.upper(), path, operation, scopes[(method.upper(), path)])
    lines += ["## Schemas", ""]
    for name in sorted(schemas):
        lines += _schema(name, schemas[name])
    return "\n".join(lines).rstrip() + "\n"


def _operation(method: str, path: str, operation: dict[str, Any], declared: Any) -> list[str]:
    scope = ("no key" if not declared.authenticated
             else "ingest or admin key" if declared.ingest else "admin key")  # fmt: skip
    lines = [f"### `{method} {path}`", "", f"{operation['summary']}. *{scope}*", ""]
    parameters = operation.get("parameters", [])
    if parameters:
        lines += ["| parameter | in | type | required |", "|---|---|---|---|"]
        lines += [f"| `{p['name']}` | {p['in']} | {_type(p['schema'])} | "
                  f"{'yes' if p['required'] else 'no'} |" for p in parameters]  # fmt: skip
        lines.append("")
    body = operation.get("requestBody")
    if body:
        schema = body["content"]["application/json"]["schema"]
        required = "required" if body["required"] else "optional"
        lines += [f"Body ({required}): {_type(schema)}", ""]
    answers = ", ".join(f"{status} {answer['description']}"
                        for status, answer in operation["responses"].items())  # fmt: skip
    return [*lines, f"Answers: {answers}.", ""]


def _schema(name: str, schema: dict[str, Any]) -> list[str]:
    lines = [f"### {name}", ""]
    if "enum" in schema:
        return [*lines, "One of " + ", ".join(f"`{v}`" for v in schema["enum"]) + ".", ""]
    properties: dict[str, Any] = schema.get("properties", {})
    if not properties:
        return [*lines, _type(schema), ""]
    required = set(schema.get("required", ()))
    lines += ["| field | type | required | description |", "|---|---|---|---|"]
    for field, spec in properties.items():
        text = " ".join(str(spec.get("description", "")).split()).replace("|", "\\|")
        lines.append(f"| `{field}` | {_type(spec)} | {'yes' if field in required else 'no'} "
                     f"| {text} |")  # fmt: skip
    return [*lines, ""]


def _type(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        return f"[{name}](#{name.lower()})"
    if "anyOf" in schema:
        return " or ".join(_type(choice) for choice in schema["anyOf"])
    kind = schema.get("type", "any")
    if kind == "array":
        return f"array of {_type(schema.get('items', {}))}"
    if "format" in schema:
        return f"{kind} ({schema['format']})"
    return str(kind)
