import logging
import os
import sys

import click
from pydantic import ValidationError

from adapters.cli import (commands_keys, commands_orders, commands_serve, commands_setup, commands_system,
                          commands_users, commands_worker)
from adapters.cli.output import ExitCode
from adapters.container import Container
from adapters.redaction import redact
from adapters.settings import Settings
from application.errors import ApplicationError
from application.errors import StoreNeedsReauthorization
from domain.exceptions import DomainError


def _one_line(exc: BaseException) -> str:
    # The last door out: whatever an error echoes, no sign, secret or token passes it (S-5).
    return redact(" ".join(str(exc).split())) or exc.__class__.__name__


def _validation_line(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "input"
    return f"invalid {where.replace('_', '-')}: {first['msg']}"


class OmsGroup(click.Group):
    """Turns every expected failure into one line on stderr and a non-zero exit."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except StoreNeedsReauthorization as exc:
            raise _Failure(_one_line(exc), ExitCode.REAUTHORIZE) from None
        except (DomainError, ApplicationError) as exc:
            raise _Failure(_one_line(exc)) from None
        except ValidationError as exc:
            raise _Failure(_validation_line(exc)) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:  # never a traceback for the seller; TIKTOK_OMS_DEBUG=1 shows it
            if os.environ.get("TIKTOK_OMS_DEBUG"):
                raise
            raise _Failure(f"unexpected error ({exc.__class__.__name__}): {_one_line(exc)}") from None


class _Failure(click.ClickException):
    def __init__(self, message: str, code: int = ExitCode.FAILURE) -> None:
        super().__init__(message)
        self.exit_code = code

    def show(self, file: object = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


@click.group(cls=OmsGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--in-memory", is_flag=True, help="Keep everything in this process only (demo, trying things out).")
@click.option("--database-url", envvar="TIKTOK_OMS_DATABASE_URL", default=None, help="SQLAlchemy URL (default: a SQLite file in your data folder).")
@click.option("-v", "--verbose", count=True, help="Log to stderr (-v info, -vv debug).")
@click.pass_context
def main(ctx: click.Context, in_memory: bool, database_url: str | None, verbose: int) -> None:
    """tiktok-oms: connect TikTok Shop stores, import their orders, fulfil and report."""
    logging.basicConfig(
        stream=sys.stderr,
        level=[logging.WARNING, logging.INFO, logging.DEBUG][min(verbose, 2)],
        format="%(levelname)s %(name)s: %(message)s",
    )
    overrides: dict[str, object] = {"in_memory": in_memory}
    if database_url:
        overrides["database_url"] = database_url
    if ctx.obj is None:  # tests may hand in a factory that returns one shared container
        ctx.obj = lambda **extra: Container(settings=Settings(**(overrides | extra)))  # type: ignore[arg-type]


for group in (*commands_setup.GROUPS, *commands_orders.GROUPS, *commands_system.GROUPS, *commands_serve.GROUPS,
              *commands_users.GROUPS, *commands_worker.GROUPS, *commands_keys.GROUPS):
    main.add_command(group)
