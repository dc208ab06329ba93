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
