Feature: Buyer cancellation requests
  In its first hour a buyer cancels an order outright; after that the buyer can only ask, and the
  seller must answer: approve (TikTok cancels the order) or reject with one of TikTok's reasons.
  In the US, shipping the order rejects the request too.

  Background:
    Given today is "2026-11-27"
    And a connected TikTok store "TikTok US"
    And the listing "tee-red-l" is mapped to product "TEE-RED-L"
    And a warehouse "East"
    And TikTok has merchant order "M-1" for "1 x tee-red-l"
    And the buyer of order "M-1" asks TikTok to cancel it
    And the orders have been imported

  @R17
  Rule: A buyer's cancellation request reaches the OMS on the next import

    Example: The pending request is shown on the order and in the list of orders awaiting an answer
      Then order "M-1" has a "pending" cancellation request
      And the orders with a "pending" cancellation request are "M-1"

    Example: A request the buyer withdraws is closed on the next import
      Given the buyer of order "M-1" withdraws the request
      When the OMS imports the orders
      Then order "M-1" has a "closed" cancellation request
      And no order has a "pending" cancellation request

  Rule: The seller is warned before shipping an order whose buyer asked to cancel

    Example: Shipping waits until the seller ships despite the request, which rejects it
      Given order "M-1" is routed to warehouse "East"
      When the seller ships order "M-1" with "USPS" tracking "9400111"
      Then it is refused, saying "the buyer asked to cancel TikTok order M-1"
      And nothing was sent to TikTok after the import
      When the seller ships order "M-1" despite the request with "USPS" tracking "9400111"
      Then it succeeds
      And order "M-1" is "shipped"
      And order "M-1" has a "rejected" cancellation request
      And TikTok no longer lists the request of order "M-1" as pending

  Rule: The seller approves the request, or rejects it with one of TikTok's reasons

    Example: Approving cancels the order on TikTok and in the OMS
      When the seller approves the cancellation request of order "M-1"
      Then it succeeds
      And order "M-1" is "cancelled"
      And order "M-1" has a "approved" cancellation request
      And TikTok no longer lists the request of order "M-1" as pending

    Example: Rejecting without a reason is refused, naming TikTok's reasons
      When the seller rejects the cancellation request of order "M-1"
      Then it is refused, saying "rejecting needs --reason, one of TikTok's reasons"
      And it is refused, saying "seller_reject_apply_product_has_been_packed (Product has been packed)"
      And order "M-1" has a "pending" cancellation request

    Example: Rejecting with one of TikTok's reasons lets the order go on
      When the seller rejects the cancellation request of order "M-1" with reason "Product has been packed"
      Then it succeeds
      And order "M-1" is "awaiting_fulfilment"
      And order "M-1" has a "rejected" cancellation request
      And TikTok no longer lists the request of order "M-1" as pending
