"""Store names are unique regardless of case in any script (issue 8 item 5), on every storage."""

import pytest

from domain.stores import store_named


def test_names_match_regardless_of_case_in_any_script() -> None:
    stores = [("s1", "Öl Shop"), ("s2", "TOKYO 東京"), ("s3", "ß-Laden")]
    assert store_named("öl shop", stores) == "s1"
    assert store_named("tokyo 東京", stores) == "s2"
    assert store_named("SS-LADEN", stores) == "s3"  # case folding, not only lower()
    assert store_named("Öl", stores) is None


def test_the_exact_spelling_wins_when_two_differ_only_in_case() -> None:
    assert store_named("Shop", [("a", "SHOP"), ("b", "Shop")]) == "b"
    assert store_named("shop", [("a", "SHOP"), ("b", "Shop")]) == "a"  # then by name


@pytest.mark.parametrize("storage", ["memory", "sqlite"])
def test_a_store_named_with_non_ascii_capitals_is_found_and_not_duplicated(storage: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from adapters.container import Container
    from adapters.settings import Settings
    from application.commands import CreateStore
    from application.errors import ApplicationError

    settings = Settings(_env_file=None, in_memory=storage == "memory",  # type: ignore[call-arg]
                        database_url=f"sqlite:///{tmp_path / 'oms.sqlite'}")
    container = Container(settings=settings)
    container.create_store()(CreateStore(name="Öl Shop"))
    assert container.queries().store("öl shop")["name"] == "Öl Shop"
    with pytest.raises(ApplicationError):
        container.create_store()(CreateStore(name="öl shop"))

