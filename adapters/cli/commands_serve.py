"""`serve`: the long-running OMS process (webhooks, OAuth callback, web app, schedule)."""

import click

from adapters.cli.output import container
from adapters.cli.params import PORT


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=PORT, default=8080, show_default=True, help="Port to listen on.")
@click.option(
    "--public",
    is_flag=True,
    help="Allow a non-loopback --host. Only behind an HTTPS reverse proxy: TikTok delivers webhooks over HTTPS only.",
)
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, public: bool) -> None:
    """Run the OMS service until SIGTERM or Ctrl+C: TikTok's webhook endpoint (POST /webhooks/tiktok),
    the OAuth callback (GET /oauth/tiktok/callback; point TIKTOK_REDIRECT_URL there), /healthz and the
    sellers' web app (/login, /stores, /orders, …).

    \b
    Example:
      tiktok-oms serve --port 8080
    """
    from adapters.server.app import CALLBACK_PATH, WEBHOOK_PATH
    from adapters.server.run import HTTPS_WARNING, bind, is_loopback, run
    from adapters.server.service import serve_app, single_machine

    if not is_loopback(host):
        if not public:
            raise click.UsageError(
                f"--host {host} is reachable beyond this machine; add --public, and put tiktok-oms behind an HTTPS reverse proxy"
            )
        click.echo(HTTPS_WARNING.format(host=host), err=True)
    from adapters.container import prepare

    c = container(ctx)
    prepare(c)
    app = serve_app(c)
    try:
        sock = bind(host, port)
    except OSError as exc:
        in_use = "in use" in str(exc).lower()
        raise click.BadParameter(f"{host}:{port} is already in use (another server is listening there); choose "
                                 "another with --port" if in_use else str(exc), param_hint="--port") from None
    base = f"http://{host}:{port}" if ":" not in host else f"http://[{host}]:{port}"
    click.echo(f"tiktok-oms serving on {base} (Ctrl+C to stop)", err=True)
    click.echo(f"  webhooks:        POST {base}{WEBHOOK_PATH}", err=True)
    click.echo(f"  OAuth callback:  GET  {base}{CALLBACK_PATH}", err=True)
    click.echo(f"  web app:         {base}/  (sign in with an account from 'tiktok-oms users create EMAIL')", err=True)
    if c.settings().session_secret is None:
        click.echo("  note: TIKTOK_OMS_SESSION_SECRET is not set; a restart signs every seller out", err=True)
    if single_machine(c):
        click.echo(f"  single machine: this process syncs every connected store every "
                   f"{c.settings().sync_interval_seconds:g} s and keeps their tokens fresh", err=True)
    else:
        click.echo("  PostgreSQL: jobs go to the shared queue; run 'tiktok-oms worker' to work them", err=True)
    run(app, sock)
    click.echo("tiktok-oms stopped", err=True)


GROUPS = (serve,)
