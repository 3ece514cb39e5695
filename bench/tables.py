"""Tables of the report: a header and rows of cells, printed aligned or as Markdown."""

from __future__ import annotations

Table = tuple[list[str], list[list[str]]]


def aligned(table: Table) -> str:
    header, rows = table
    widths = [max(len(row[column]) for row in [header, *rows]) for column in range(len(header))]
    lines = [
        [row[0].ljust(widths[0])]
        + [cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
        for row in [header, *rows]
    ]
    return "\n".join("  " + "  ".join(line) for line in lines)


def markdown(table: Table) -> str:
    header, rows = table
    lines = [header, ["---"] * len(header), *rows]
    return "\n".join("| " + " | ".join(line) + " |" for line in lines)
