import click

from adapters.cli.output import container


@click.group()
def keys() -> None:
    """The secret key that encrypts the stores' TikTok tokens at rest.

    Example: tiktok-oms keys rotate
    """


@keys.command("rotate")
@click.pass_context
def keys_rotate(ctx: click.Context) -> None:
    """Re-encrypt every stored token under a new key.

    With the key file (the default: secret.key in the data folder, or TIKTOK_OMS_SECRET_KEY_FILE)
    a new key is made and written there, and the old one dropped once every token is re-encrypted.
    With TIKTOK_OMS_SECRET_KEY, put the new key first and the old one after a comma, run this,
    then remove the old one.

    Example: tiktok-oms keys rotate
    """
    from adapters.secret_key import KeySource, rotate

    c = container(ctx)
    settings = c.settings()
    if settings.in_memory:
        raise click.UsageError("--in-memory keeps no token at rest: there is nothing to re-encrypt")
    click.echo(rotate(c.engine(), KeySource.from_settings(settings)).message)


GROUPS = (keys,)
