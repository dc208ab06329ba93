import click

from adapters.cli.output import container


@click.group()
def users() -> None:
    """Seller accounts that sign in to the web app (`tiktok-oms serve`).

    \b
    Example:
      tiktok-oms users create seller@example.com
    """


@users.command("create")
@click.argument("email")
@click.password_option(
    "--password",
    prompt="Password",
    confirmation_prompt="Repeat the password",
    envvar="TIKTOK_OMS_NEW_PASSWORD",
    help="Asked for when not given (never echoed); TIKTOK_OMS_NEW_PASSWORD for scripts.",
)
@click.pass_context
def users_create(ctx: click.Context, email: str, password: str) -> None:
    """Add a seller account; the password (at least 10 characters) is stored as an argon2id hash.

    \b
    Example:
      tiktok-oms users create seller@example.com
    """
    user = container(ctx).accounts().create(email, password)
    click.echo(f"created user {user.email}; sign in at the web app's /login")


GROUPS = (users,)
