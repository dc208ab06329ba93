import pytest

from domain.addresses import Address
from domain.exceptions import FbtReturnNeedsCustomerAddress, ReturnNeedsAddress, ReturnNeedsShippedLines
from domain.orders import LineStatus, Order
from domain.returns import create_return
from tests.builders import T0, a_line, a_masked_address, an_address, an_fbt_order, an_order

pytestmark = pytest.mark.unit


def shipped_merchant_order(**kwargs: object) -> Order:
    lines = [a_line(id="ln_1", tiktok_line_item_id="i1", status=LineStatus.SHIPPED), a_line(id="ln_2")]
    return an_order(id="ord_1", lines=lines, **kwargs)  # type: ignore[arg-type]


def shipped_fbt_order() -> Order:
    return an_fbt_order(id="ord_fbt", lines=[a_line(id="ln_1", status=LineStatus.SHIPPED)], address=a_masked_address())


class TestAddress:
    def test_a_full_name_and_address_is_complete(self) -> None:
        assert an_address().is_complete and an_address(line2="", phone="").missing() == []

    def test_missing_parts_are_named_as_the_seller_gives_them(self) -> None:
        address = an_address(name=" ", line1="", postal_code="")

        assert address.missing() == ["name", "address-line1", "postal-code"]

    def test_masked_values_count_as_missing(self) -> None:
        assert a_masked_address().missing() == ["name", "address-line1", "city", "postal-code"]

    def test_an_address_with_no_value_is_empty(self) -> None:
        assert Address().is_empty and not a_masked_address().is_empty


class TestMerchantReturn:
    def test_a_return_uses_the_orders_own_address(self) -> None:
        ret = create_return(shipped_merchant_order(), line_refs=["ln_1"], address=None, return_id="ret_1", now=T0)

        assert (ret.id, ret.order_id, ret.line_ids, ret.address, ret.created_at) == ("ret_1", "ord_1", ("ln_1",), an_address(), T0)

    def test_a_blank_address_given_means_the_orders_own(self) -> None:
        ret = create_return(shipped_merchant_order(), line_refs=["i1"], address=Address(), return_id="ret_1", now=T0)

        assert ret.address == an_address() and ret.line_ids == ("ln_1",)

    def test_another_address_given_is_used_instead(self) -> None:
        other = an_address(name="Sam Lee", line1="1 Main St", city="Austin", postal_code="73301")

        ret = create_return(shipped_merchant_order(), line_refs=["ln_1"], address=other, return_id="ret_1", now=T0)

        assert ret.address == other

    def test_an_incomplete_order_address_is_refused_naming_what_to_give(self) -> None:
        order = shipped_merchant_order(address=an_address(line1="", city=""))

        with pytest.raises(ReturnNeedsAddress, match="address-line1, city"):
            create_return(order, line_refs=["ln_1"], address=None, return_id="ret_1", now=T0)

    @pytest.mark.parametrize("refs", [["ln_2"], ["ln_1", "ln_nope"], []])
    def test_only_shipped_lines_can_be_returned(self, refs: list[str]) -> None:
        with pytest.raises(ReturnNeedsShippedLines, match="only shipped lines"):
            create_return(shipped_merchant_order(), line_refs=refs, address=None, return_id="ret_1", now=T0)

    def test_a_cancelled_line_cannot_be_returned(self) -> None:
        order = an_order(lines=[a_line(id="ln_x", status=LineStatus.CANCELLED), a_line(status=LineStatus.SHIPPED)])

        with pytest.raises(ReturnNeedsShippedLines, match="ln_x"):
            create_return(order, line_refs=["ln_x"], address=None, return_id="ret_1", now=T0)


class TestFbtReturn:
    def test_an_fbt_return_without_the_customers_address_is_refused_saying_so(self) -> None:
        with pytest.raises(FbtReturnNeedsCustomerAddress, match="no complete customer name and address for FBT"):
            create_return(shipped_fbt_order(), line_refs=["ln_1"], address=None, return_id="ret_1", now=T0)

    def test_an_fbt_return_never_falls_back_to_tiktoks_masked_address(self) -> None:
        with pytest.raises(FbtReturnNeedsCustomerAddress, match="name, address-line1, city, postal-code"):
            create_return(shipped_fbt_order(), line_refs=["ln_1"], address=a_masked_address(), return_id="ret_1", now=T0)

    def test_an_fbt_return_with_a_partial_address_names_what_is_missing(self) -> None:
        partial = an_address(postal_code="", country="")

        with pytest.raises(FbtReturnNeedsCustomerAddress, match="postal-code, country"):
            create_return(shipped_fbt_order(), line_refs=["ln_1"], address=partial, return_id="ret_1", now=T0)

    def test_an_fbt_return_with_a_full_name_and_address_is_created(self) -> None:
        ret = create_return(shipped_fbt_order(), line_refs=["ln_1"], address=an_address(), return_id="ret_1", now=T0)

        assert (ret.order_id, ret.line_ids, ret.address) == ("ord_fbt", ("ln_1",), an_address())
