import json
from collections.abc import Callable, Sequence
from enum import IntEnum
from typing import Any

import click

from adapters.container import Container


class ExitCode(IntEnum):
    OK = 0
    FAILURE = 1
    USAGE = 2
    PARTIAL = 3  # some TikTok orders were set aside (quarantined) with a reason
    REAUTHORIZE = 4  # the store must be authorized again


json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout.")


def container(ctx: click.Context, **extra: Any) -> Container:
    root = ctx.find_root()
    cached = root.meta.get("container")
    if cached is None or extra:
        cached = root.obj(**extra)
        root.meta["container"] = cached
    return cached


def emit(data: Any, as_json: bool, human: Callable[[Any], str]) -> None:
    if as_json:
        click.echo(json.dumps(data, indent=2, default=str))
    else:
        click.echo(human(data))


def table(rows: Sequence[dict[str, Any]], columns: Sequence[str], empty: str = "(none)") -> str:
    if not rows:
        return empty
    cells = [[str(row.get(col) if row.get(col) is not None else "-") for col in columns] for row in rows]
    widths = [max(len(col), *(len(c[i]) for c in cells)) for i, col in enumerate(columns)]
    lines = ["  ".join(col.upper().ljust(w) for col, w in zip(columns, widths))]
    lines += ["  ".join(c.ljust(w) for c, w in zip(cell, widths)) for cell in cells]
    return "\n".join(lines)


def split_ids(value: str | None) -> list[str] | None:
    if value is None:
        return None
    ids = [part.strip() for part in value.split(",") if part.strip()]
    if not ids:
        raise click.BadParameter("give at least one line id")
    return ids
