"""Checks on an address a seller types in (a return's ship-from address)."""

import re
from dataclasses import replace

import pycountry

from application.errors import ApplicationError
from domain.addresses import Address

# Postal code shapes of the markets TikTok Shop operates in (and their neighbours sellers ship
# from). No well-kept library validates postal codes; elsewhere any 2-10 letters, digits, spaces
# or hyphens pass. Upper-cased before matching.
POSTAL_CODES = {
    "US": r"\d{5}(-\d{4})?",
    "GB": r"[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}",
    "IE": r"[A-Z]\d[\dW] ?[A-Z\d]{4}",  # Eircode
    "CA": r"[A-Z]\d[A-Z] ?\d[A-Z]\d",
    "JP": r"\d{3}-?\d{4}",
    "BR": r"\d{5}-?\d{3}",
    "SG": r"\d{6}",
    "VN": r"\d{6}",
    "PH": r"\d{4}",
    "NL": r"\d{4} ?[A-Z]{2}",
    **{code: r"\d{5}" for code in ("DE", "FR", "ES", "IT", "MX", "MY", "ID", "TH")},
}
_ANY = r"[A-Z\d][A-Z\d -]{0,8}[A-Z\d]"


def checked_address(address: Address) -> Address:
    """The address with its country code upper-cased; ApplicationError naming what cannot be right.

    Only what is given is checked: a missing field is the domain's to report (it knows whether
    the return needs a full address).
    """
    country = address.country.strip().upper()
    if country and (len(country) != 2 or pycountry.countries.get(alpha_2=country) is None):
        raise ApplicationError(
            f"country {address.country!r} is not a two-letter ISO 3166 country code (for example US, GB, DE)"
        )
    postal = address.postal_code.strip().upper()
    if postal and not re.fullmatch(POSTAL_CODES.get(country, _ANY), postal):
        where = f"a {country} postal code" if country in POSTAL_CODES else "a postal code"
        raise ApplicationError(f"postal code {address.postal_code!r} does not look like {where}")
    return replace(address, country=country)
