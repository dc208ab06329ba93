import click

from adapters.cli.output import container


@click.group()
def keys() -> None:
    """The secret key that encrypts the stores' TikTok tokens at rest.

    Example: tiktok-oms keys rotate
    """


@keys.command("rotate")
@click.option("--forget-old", is_flag=True,
              help="Drop the older keys from the key file (once every database using it has been rotated).")
@click.pass_context
def keys_rotate(ctx: click.Context, forget_old: bool) -> None:
    """Re-encrypt this database's stored tokens under a newer key.

    With the key file (the default: secret.key in the data folder, or TIKTOK_OMS_SECRET_KEY_FILE)
    a new key is written first in it and the older keys stay after it, so every other database
    that uses the same key file still reads its tokens. Run 'keys rotate' with each of them (it
    moves their tokens to the same newest key, making no other), then 'keys rotate --forget-old'
    with any one to drop the older keys: a database not rotated by then can no longer read its
    tokens. --forget-old refuses while this database still has a token under an older key.
    With TIKTOK_OMS_SECRET_KEY, put the new key first and the old one after a comma, run this,
    then remove the old one.

    Example: tiktok-oms keys rotate
    """
    from adapters.secret_key import ENV, KeySource, forget_old as forget, rotate

    c = container(ctx)
    settings = c.settings()
    if settings.in_memory:
        raise click.UsageError("--in-memory keeps no token at rest: there is nothing to re-encrypt")
    source = KeySource.from_settings(settings)
    if forget_old:
        if source.from_env:
            raise click.UsageError(f"--forget-old drops keys from the key file; with {ENV} set, "
                                   f"remove the old keys from {ENV} yourself")
        click.echo(forget(c.engine(), source))
        return
    click.echo(rotate(c.engine(), source).message)


@keys.command("new")
@click.pass_context
def keys_new(ctx: click.Context) -> None:
    """Write a new key to a key file that is missing (a lost key file, on purpose).

    The tokens stored under the lost key stay unreadable: each store holding some must be
    authorized again (named in the answer). Refused when the key file exists (use 'keys rotate').

    Example: tiktok-oms keys new
    """
    from adapters.secret_key import KeySource, new_key

    c = container(ctx)
    settings = c.settings()
    if settings.in_memory:
        raise click.UsageError("--in-memory keeps no token at rest: it needs no key")
    click.echo(new_key(c.engine(), KeySource.from_settings(settings)))


GROUPS = (keys,)
