"""The `tiktok-oms` command line: one group, its sub-commands, and the one way every failure ends.

Start-up is kept short: this module and the command modules import only click; each command
imports the container, SQLAlchemy, httpx or the web server when it runs, and only what it uses
(`tiktok-oms --help` loads none of them).
"""

import os
import sys

import click

from adapters.cli import (commands_keys, commands_orders, commands_serve, commands_setup, commands_system,
                          commands_users, commands_worker)
from adapters.cli.output import ExitCode, redact_line, validation_line


class OmsGroup(click.Group):
    """Turns every expected failure into one line on stderr and a non-zero exit: `error: ...`,
    exit 2 for bad usage (click would print a usage block and "Error:"), 1, 3 or 4 otherwise."""

    def make_context(self, *args: object, **kwargs: object) -> click.Context:  # type: ignore[override]
        try:
            return super().make_context(*args, **kwargs)  # type: ignore[arg-type]
        except click.exceptions.NoArgsIsHelpError:
            raise
        except click.UsageError as exc:
            raise _usage(exc) from None

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except click.exceptions.NoArgsIsHelpError:
            raise
        except click.UsageError as exc:
            raise _usage(exc) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:
            raise _failure(exc) from None


def _usage(exc: click.UsageError) -> click.ClickException:
    command = exc.ctx.command_path if exc.ctx is not None else "tiktok-oms"
    return _Failure(f"{' '.join(exc.format_message().split())} (see '{command} --help')", ExitCode.USAGE)


def _failure(exc: Exception) -> click.ClickException:
    """The one line for an error raised by a command (nothing lost: every handler rolled back)."""
    from adapters.database_url import ConfigurationError
    from application.errors import ApplicationError, StoreNeedsReauthorization
    from domain.exceptions import DomainError

    if isinstance(exc, ConfigurationError):
        return _Failure(redact_line(exc), ExitCode.USAGE)  # a setting's value is bad usage too
    if isinstance(exc, StoreNeedsReauthorization):
        return _Failure(redact_line(exc), ExitCode.REAUTHORIZE)
    if isinstance(exc, DomainError | ApplicationError):
        return _Failure(redact_line(exc))
    pydantic = sys.modules.get("pydantic")  # a ValidationError exists only once pydantic is loaded
    if pydantic is not None and isinstance(exc, pydantic.ValidationError):
        return _Failure(validation_line(exc))
    if os.environ.get("TIKTOK_OMS_DEBUG"):  # never a traceback for the seller; TIKTOK_OMS_DEBUG=1 shows it
        raise exc
    return _Failure(f"unexpected error ({exc.__class__.__name__}): {redact_line(exc)}")


class _Failure(click.ClickException):
    def __init__(self, message: str, code: int = ExitCode.FAILURE) -> None:
        super().__init__(message)
        self.exit_code = code

    def show(self, file: object = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


EPILOG = """\b
Exit codes:
  0  done
  1  refused or failed (one line on stderr says why)
  2  bad usage (an unknown option, a missing argument, a value out of range)
  3  the sync finished but set some TikTok orders aside (see 'orders set-aside')
  4  the store must be authorized again ('stores authorize STORE')

\b
Example:
  tiktok-oms demo --in-memory
  tiktok-oms orders list --status in_review --json
"""


@click.group(cls=OmsGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
             epilog=EPILOG)
@click.version_option(package_name="tiktok-oms", prog_name="tiktok-oms", message="%(prog)s %(version)s",
                      help="Print the version and exit.")
@click.option("--in-memory", is_flag=True, help="Keep everything in this process only (demo, trying things out).")
@click.option("--database-url", envvar="TIKTOK_OMS_DATABASE_URL", default=None, metavar="URL",
              help="sqlite:///PATH or postgresql+psycopg://USER@HOST/DB (default: a SQLite file in your data "
                   "folder; env TIKTOK_OMS_DATABASE_URL).")
@click.option("-v", "--verbose", count=True, help="Say what the OMS does on stderr (-v: pages, retries, tokens; -vv: debug).")
@click.pass_context
def main(ctx: click.Context, in_memory: bool, database_url: str | None, verbose: int) -> None:
    """tiktok-oms: connect TikTok Shop stores, import their orders, fulfil and report."""
    from adapters.cli.logs import configure

    configure(verbose)
    overrides: dict[str, object] = {"in_memory": in_memory}
    if database_url is not None:
        overrides["database_url"] = database_url
    # Read-only commands may skip the container (adapters/cli/reads.py): not in memory, and not
    # when a test handed in its own container.
    ctx.meta["sql_reads"] = None if in_memory or ctx.obj is not None else {"database_url": database_url}
    if ctx.obj is None:  # tests may hand in a factory that returns one shared container
        ctx.obj = lambda **extra: _container(overrides | extra)


def _container(values: dict[str, object]) -> object:
    from adapters.container import Container
    from adapters.settings import load_settings

    return Container(settings=load_settings(**values))


def _examples_last(command: click.Command) -> None:
    """A docstring's closing "Example:" paragraph (a `\\b` block of commands, or one
    "Example: tiktok-oms …" line) becomes the epilog, so every help ends with it, after a group's
    commands and every option's help."""
    import inspect
    import re

    cleaned = inspect.cleandoc(command.help or "")
    found = list(re.finditer(r"^(?:\x08\n)?Example:[ \t]*", cleaned, re.MULTILINE))
    if found and not command.epilog:
        text, example = cleaned[:found[-1].start()], cleaned[found[-1].end():]
        lines = [line.strip() for line in example.strip().splitlines() if line.strip()]
        command.help = text.rstrip()
        command.epilog = "\b\nExample:\n" + "\n".join(f"  {line}" for line in lines)
    for sub in getattr(command, "commands", {}).values():
        _examples_last(sub)


for group in (*commands_setup.GROUPS, *commands_orders.GROUPS, *commands_system.GROUPS, *commands_serve.GROUPS,
              *commands_users.GROUPS, *commands_worker.GROUPS, *commands_keys.GROUPS):
    _examples_last(group)
    main.add_command(group)
