Feature: Order returns
  TikTok does not give a complete customer name and address for FBT orders, so a return for an
  FBT order needs the shipping details from the customer. A merchant order has its own address.

  Background:
    Given today is "2026-11-27"
    And a connected TikTok store "TikTok US"
    And the listing "tee-red-l" is mapped to product "TEE-RED-L"
    And a warehouse "East"
    And an FBT warehouse "TikTok FBT" for store "TikTok US"
    And FBT import is enabled from "2026-11-01" into "TikTok FBT"

  @R14
  Rule: A return for an FBT order needs the customer's full name and address

    Background:
      Given TikTok has FBT order "F-1" for "1 x tee-red-l"
      And the orders have been imported

    Example: An FBT return without an address is refused, saying why
      When the seller creates a return of "1 x tee-red-l" from order "F-1" without an address
      Then it is refused, saying "TikTok gives no complete customer name and address for FBT orders"
      And order "F-1" has no return

    Example: An FBT return with part of the address is refused, naming what is missing
      When the seller creates a return of "1 x tee-red-l" from order "F-1" to
        | name           | line1 | city | postal_code | country |
        | Dana Whitfield |       |      |             | US      |
      Then it is refused, saying "give address-line1, city, postal-code"
      And order "F-1" has no return

    Example: An FBT return with the customer's full address is created
      When the seller creates a return of "1 x tee-red-l" from order "F-1" to
        | name           | line1             | city        | postal_code | country |
        | Dana Whitfield | 5800 Bristol Pkwy | Culver City | 90230       | US      |
      Then it succeeds
      And order "F-1" has a return from "Dana Whitfield, 5800 Bristol Pkwy, Culver City, 90230, US"

  @R14
  Rule: A return for a merchant order uses the order's own address unless another is given

    Background:
      Given TikTok has merchant order "M-1" for "1 x tee-red-l"
      And the orders have been imported
      And order "M-1" has been shipped from "East"

    Example: A merchant return uses the order's address
      When the seller creates a return of "1 x tee-red-l" from order "M-1" without an address
      Then it succeeds
      And order "M-1" has a return from "Dana Whitfield, 5800 Bristol Pkwy, Culver City, 90230, US"

    Example: A merchant return can come from another address
      When the seller creates a return of "1 x tee-red-l" from order "M-1" to
        | name    | line1       | city        | postal_code | country |
        | Sam Lee | 12 Elm Road | Springfield | 62701       | US      |
      Then it succeeds
      And order "M-1" has a return from "Sam Lee, 12 Elm Road, Springfield, 62701, US"
