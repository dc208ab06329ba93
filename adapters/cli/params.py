"""Range-checked option types: a bad number is a usage error (exit 2) before anything is stored."""

import math

import click

# TCP ports; 0 ("any free port") is no use for a port the seller must then tell TikTok or the OMS.
PORT = click.IntRange(1, 65535)
# The sandbox keeps every seeded order in memory; the benchmarks go up to this many.
MAX_SEEDED_ORDERS = 100_000
SEEDED_ORDERS = click.IntRange(0, MAX_SEEDED_ORDERS)


class Seconds(click.ParamType):
    """A duration in seconds: a positive, finite number (not 0, -1, nan or inf)."""

    name = "seconds"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> float:
        try:
            seconds = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        if not math.isfinite(seconds) or seconds <= 0:
            self.fail(f"{value!r} is not a positive, finite number of seconds", param, ctx)
        return seconds


SECONDS = Seconds()


class LazyChoice(click.Choice):
    """A choice among the values of an enum that is imported only when the choices are needed
    (this option's help, or its value being checked), so the top-level help does not load the domain.

    `enum_path` is "module:EnumName"; the choices are the members' values.
    """

    def __init__(self, enum_path: str, case_sensitive: bool = True) -> None:
        self._enum_path = enum_path
        self._loaded: tuple[str, ...] | None = None
        self.case_sensitive = case_sensitive

    @property  # type: ignore[override]
    def choices(self) -> tuple[str, ...]:
        if self._loaded is None:
            import importlib

            module, name = self._enum_path.split(":")
            self._loaded = tuple(member.value for member in getattr(importlib.import_module(module), name))
        return self._loaded

    @choices.setter
    def choices(self, value: tuple[str, ...]) -> None:
        self._loaded = tuple(value)


class StoreName(click.ParamType):
    """A store's id or name: never empty (an empty `--store ""` must not quietly mean every store)."""

    name = "store"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value)
        if not text.strip():
            self.fail("give a store's id or name (it is empty)", param, ctx)
        return text


STORE_NAME = StoreName()


def ensure_port_free(host: str, port: int, option: str = "--port") -> None:
    """Raise a usage error (exit 2, one line) when host:port cannot be listened on: in use by
    another process, or not this machine's address. Checked before a server starts in a thread."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    probe = socket.socket(family, socket.SOCK_STREAM)
    try:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host.strip("[]"), port))
    except OSError as exc:
        why = "already in use (another server is listening there)" if exc.errno in (48, 98) else (exc.strerror or str(exc))
        raise click.BadParameter(f"{host}:{port} is {why}; choose another with {option}" if exc.errno in (48, 98)
                                 else f"cannot listen on {host}:{port}: {why}", param_hint=option) from None
    finally:
        probe.close()
