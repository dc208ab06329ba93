"""What every command shares: exit codes, the container, and how results are printed.

JSON goes to stdout as one document (orjson, indented by two spaces); tables are laid out with rich's cell widths
(names rather than ids, long cells cut with an ellipsis, CJK and emoji aligned by their width on
screen); CSV with the standard library. Nothing here imports the container or SQLAlchemy at
start-up: `tiktok-oms --help` stays fast.
"""

import sys
from collections.abc import Callable, Sequence
from enum import IntEnum
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from adapters.container import Container


class ExitCode(IntEnum):
    OK = 0
    FAILURE = 1
    USAGE = 2
    PARTIAL = 3  # some TikTok orders were set aside (quarantined) with a reason
    REAUTHORIZE = 4  # the store must be authorized again


def _one_format(other: str) -> Callable[[click.Context, click.Parameter, bool], bool]:
    def check(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
        if value and ctx.params.get(other):
            raise click.UsageError("give --json or --csv, not both", ctx)
        return value

    return check


json_option = click.option("--json", "as_json", is_flag=True, callback=_one_format("as_csv"),
                           help="Print one JSON document on stdout.")
csv_option = click.option("--csv", "as_csv", is_flag=True, callback=_one_format("as_json"),
                          help="Print the rows as CSV on stdout (a header row first).")

# A table cell longer than this many columns on screen is cut with "…".
MAX_CELL = 36


def redact_line(exc: BaseException) -> str:
    """One line for an error: whitespace folded, and no sign, secret or token it may echo (S-5)."""
    from adapters.redaction import redact

    return redact(" ".join(str(exc).split())) or exc.__class__.__name__


def validation_line(exc: Any) -> str:
    """The first problem of a pydantic ValidationError, named as the option it came from."""
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "input"
    return f"invalid {where.replace('_', '-')}: {first['msg']}"


def container(ctx: click.Context, **extra: Any) -> "Container":
    root = ctx.find_root()
    cached = root.meta.get("container")
    if cached is None or extra:
        cached = root.obj(**extra)
        root.meta["container"] = cached
    return cached  # type: ignore[no-any-return]


def to_json(data: Any) -> bytes:
    """The JSON document of `data`: the same document `json.dumps(data, indent=2, default=str)`
    gave (dates, times and decimals as str() of them), UTF-8, ending with a newline."""
    import orjson

    return orjson.dumps(
        data,
        default=str,
        option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE | orjson.OPT_NON_STR_KEYS
        | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS,
    )


def emit(data: Any, as_json: bool, human: Callable[[Any], str]) -> None:
    if as_json:
        document = to_json(data)
        out = getattr(sys.stdout, "buffer", None)
        if out is None:
            click.echo(document.decode(), nl=False)
        else:
            sys.stdout.flush()
            out.write(document)
            out.flush()
    else:
        click.echo(human(data))


def emit_rows(rows: Sequence[dict[str, Any]], columns: Sequence[str], *, as_json: bool = False, as_csv: bool = False,
              data: Any = None, human: Callable[[Any], str] | None = None) -> None:
    """A list command's output: `data` (default `rows`) as JSON, `rows` as CSV with `columns`, or
    the table (`human`, default a table of `columns`)."""
    if as_json and as_csv:
        raise click.UsageError("give --json or --csv, not both")
    if as_csv:
        import csv
        from io import StringIO

        buffer = StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        from adapters.csv_cells import csv_cell

        writer.writerows([csv_cell(row.get(col)) for col in columns] for row in rows)
        click.echo(buffer.getvalue(), nl=False)
        return
    emit(rows if data is None else data, as_json, human or (lambda _: table(rows, columns)))


def table(rows: Sequence[dict[str, Any]], columns: Sequence[str], empty: str = "(none)",
          headers: Sequence[str] | None = None) -> str:
    """`rows` drawn as a plain table: a header of `headers` (default the column names, upper case),
    a rule, then one line per row; a missing value as "-", cells longer than MAX_CELL cut with "…",
    widths measured as shown on screen with rich's cell widths (a CJK character or an emoji takes
    two columns). Laid out here rather than with rich's Table: a list of 100,000 orders must not
    take a minute to draw."""
    if not rows:
        return empty
    from rich.cells import cell_len, set_cell_size

    def fit(text: str) -> str:
        text = " ".join(text.split())  # no newline or tab breaks a row
        return text if cell_len(text) <= MAX_CELL else set_cell_size(text, MAX_CELL - 1) + "…"

    names = [fit(h) for h in (headers or [c.replace("_", " ").upper() for c in columns])]
    cells = [[fit(str(row[c])) if row.get(c) is not None else "-" for c in columns] for row in rows]
    widths = [max(cell_len(name), *(cell_len(line[i]) for line in cells)) for i, name in enumerate(names)]

    def line(values: Sequence[str]) -> str:
        return "   ".join(v + " " * (w - cell_len(v)) for v, w in zip(values, widths)).rstrip()

    return "\n".join([line(names), "─" * (sum(widths) + 3 * (len(widths) - 1)), *(line(c) for c in cells)])


def split_ids(value: str | None) -> list[str] | None:
    if value is None:
        return None
    ids = [part.strip() for part in value.split(",") if part.strip()]
    if not ids:
        raise click.BadParameter("give at least one line id")
    return ids
