Feature: Listing mapping
  A listing is a TikTok SKU of the store. An order holding a listing that is not mapped to one of
  the seller's products stays In Review; once its last listing is mapped it moves on by itself.

  Background:
    Given today is "2026-11-27"
    And a connected TikTok store "TikTok US"
    And the seller sells the products "TEE-RED-L, MUG, CAP"
    And a warehouse "East"
    And an FBT warehouse "TikTok FBT" for store "TikTok US"
    And FBT import is enabled from "2026-11-01" into "TikTok FBT"

  @R12
  Rule: An order that holds an unmapped listing stays In Review until its last listing is mapped

    Example: A merchant order with an unmapped listing is imported In Review and cannot be shipped
      Given TikTok has merchant order "M-1" for "1 x tee-red-l, 1 x mug-1"
      And the orders have been imported
      And order "M-1" is routed to warehouse "East"
      When the seller ships order "M-1" with "USPS" tracking "9400111"
      Then it is refused, saying "cannot ship an order in review: map its listings first (mug-1, tee-red-l)"
      And order "M-1" is "in_review"
      And the unmapped listings of store "TikTok US" are "mug-1, tee-red-l"

    Example: Mapping one of two unmapped listings keeps the order In Review
      Given TikTok has merchant order "M-1" for "1 x tee-red-l, 1 x mug-1"
      And the orders have been imported
      When the seller maps the listing "tee-red-l" to product "TEE-RED-L"
      Then order "M-1" is "in_review"

    Example: Mapping the last listing moves a merchant order to Awaiting Fulfilment
      Given the listing "tee-red-l" is mapped to product "TEE-RED-L"
      And TikTok has merchant order "M-1" for "1 x tee-red-l, 1 x mug-1"
      And the orders have been imported
      When the seller maps the listing "mug-1" to product "MUG"
      Then order "M-1" is "awaiting_fulfilment"

    Example: Mapping the last listing moves an FBT order to Shipped
      Given TikTok has FBT order "F-1" for "1 x cap-blue"
      And the orders have been imported
      When the seller maps the listing "cap-blue" to product "CAP"
      Then order "F-1" is "shipped"
      And the stock of "CAP" in "TikTok FBT" went down by 1

  @R12 @R15
  Rule: A virtual bundle is mapped, and leaves stock, as the listings it is made of
    TikTok sends a virtual bundle (made in Seller Center) as one line that names its listings.

    Background:
      Given "tee-2cap" is a virtual bundle of "1 x tee-red-l, 2 x cap-yel"

    Example: A bundle order stays In Review until every listing of the bundle is mapped
      Given the listing "tee-red-l" is mapped to product "TEE-RED-L"
      And TikTok has merchant order "B-1" for "1 x tee-2cap"
      And the orders have been imported
      Then order "B-1" is "in_review"
      And the unmapped listings of store "TikTok US" are "cap-yel"
      When the seller maps the listing "cap-yel" to product "CAP"
      Then order "B-1" is "awaiting_fulfilment"

    Example: An FBT bundle moves each of its listings' products out of FBT stock
      Given TikTok has FBT order "F-B" for "1 x tee-2cap"
      And the orders have been imported
      When the seller maps the listing "tee-red-l" to product "TEE-RED-L"
      And the seller maps the listing "cap-yel" to product "CAP"
      Then order "F-B" is "shipped"
      And the FBT stock of "TikTok FBT" went down by "1 x TEE-RED-L, 2 x CAP"

  @R12
  Rule: Unmapping a listing puts its open merchant orders back in review

    Example: Only the open merchant orders of an unmapped listing go back to review
      Given the listing "tee-red-l" is mapped to product "TEE-RED-L"
      And TikTok has merchant order "M-OPEN" for "1 x tee-red-l"
      And TikTok has merchant order "M-SHIPPED" for "1 x tee-red-l"
      And TikTok has FBT order "F-1" for "1 x tee-red-l"
      And the orders have been imported
      And order "M-SHIPPED" has been shipped from "East"
      When the seller unmaps the listing "tee-red-l"
      Then order "M-OPEN" is "in_review"
      And order "M-SHIPPED" is "shipped"
      And order "F-1" is "shipped"
