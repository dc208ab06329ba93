Feature: Order cancellation
  The seller can cancel some lines of a merchant order and let the rest go on. TikTok accepts a
  partial cancellation only for the reason out of stock, so the OMS refuses any other reason
  before anything is sent to TikTok.

  Background:
    Given a connected TikTok store "TikTok US"
    And the listing "tee-red-l" is mapped to product "TEE-RED-L"
    And the listing "mug-1" is mapped to product "MUG"
    And a warehouse "East"

  @R6
  Rule: Some lines of an order can be cancelled while the rest go on

    Example: One out-of-stock line is cancelled and the other lines stay open
      Given TikTok has merchant order "M-1" for "2 x tee-red-l, 1 x mug-1"
      And the orders have been imported
      When the seller cancels "1 x tee-red-l" of order "M-1" with reason "out-of-stock"
      Then it succeeds
      And order "M-1" has 1 cancelled and 2 open lines
      And order "M-1" is "awaiting_fulfilment"
      And TikTok was asked to cancel "1 x tee-red-l" of order "M-1" with reason "seller_cancel_reason_out_of_stock"

    Example: The rest of a partly cancelled order is shipped
      Given TikTok has merchant order "M-1" for "2 x tee-red-l, 1 x mug-1"
      And the orders have been imported
      And "1 x mug-1" of order "M-1" has been cancelled as out of stock
      And order "M-1" is routed to warehouse "East"
      When the seller ships order "M-1" with "USPS" tracking "9400111"
      Then order "M-1" is "shipped"
      And order "M-1" holds "2 x tee-red-l"
      And TikTok's package "9400111" holds "2 x tee-red-l" of order "M-1"

  @R6
  Rule: A virtual bundle line is cancelled with every unit inside it
    TikTok's 202602 cancel body names a bundle line once per unit inside it (sub_order_line_item_id).

    Example: An out-of-stock bundle line is cancelled unit by unit and the other lines go on
      Given "tee-2cap" is a virtual bundle of "1 x tee-red-l, 2 x cap-yel"
      And the listing "cap-yel" is mapped to product "CAP"
      And TikTok has merchant order "B-1" for "1 x tee-2cap, 1 x mug-1"
      And the orders have been imported
      When the seller cancels "1 x tee-2cap" of order "B-1" with reason "out-of-stock"
      Then it succeeds
      And order "B-1" holds "1 x mug-1"
      And order "B-1" is "awaiting_fulfilment"
      And TikTok cancelled each of the 3 units inside the bundle line of order "B-1"

  @R7
  Rule: A partial cancellation must give the reason out of stock; a full one any reason TikTok accepts

    Example: The OMS refuses a partial cancellation for another reason and sends nothing to TikTok
      Given TikTok has merchant order "M-1" for "2 x tee-red-l, 1 x mug-1"
      And the orders have been imported
      When the seller cancels "1 x tee-red-l" of order "M-1" with reason "wrong-price"
      Then it is refused, saying "a partial cancellation must give the reason out-of-stock"
      And nothing was sent to TikTok after the import
      And order "M-1" has 0 cancelled and 3 open lines

    Example: TikTok itself refuses a partial cancellation for another reason when the OMS check is bypassed
      Given TikTok has merchant order "M-1" for "2 x tee-red-l, 1 x mug-1"
      And the orders have been imported
      When TikTok is asked directly to cancel "1 x tee-red-l" of order "M-1" with reason "seller_cancel_reason_wrong_price"
      Then TikTok refuses it with code 25005010
      And TikTok has cancelled no line item of order "M-1"

    Example: Cancelling every line is a full cancellation and may use another reason
      Given TikTok has merchant order "M-1" for "2 x tee-red-l, 1 x mug-1"
      And the orders have been imported
      When the seller cancels every line of order "M-1" with reason "wrong-price"
      Then it succeeds
      And order "M-1" is "cancelled"
      And TikTok was asked to cancel "2 x tee-red-l, 1 x mug-1" of order "M-1" with reason "seller_cancel_reason_wrong_price"

    Example: Cancelling every remaining line after a partial cancellation is a full cancellation
      Given TikTok has merchant order "M-1" for "2 x tee-red-l, 1 x mug-1"
      And the orders have been imported
      And "1 x mug-1" of order "M-1" has been cancelled as out of stock
      When the seller cancels every line of order "M-1" with reason "buyer-requested"
      Then it succeeds
      And order "M-1" is "cancelled"
      And TikTok was asked to cancel "2 x tee-red-l" of order "M-1" with reason "seller_cancel_paid_reason_buyer_requested_cancellation"

    Example: Cancelling every line of one part of a split order is partial and needs out of stock
      Given TikTok has merchant order "M-1" for "2 x tee-red-l, 1 x mug-1"
      And the orders have been imported
      And "1 x mug-1" has been split off order "M-1"
      When the seller cancels every line of part 2 of order "M-1" with reason "wrong-price"
      Then it is refused, saying "a partial cancellation must give the reason out-of-stock"
      And nothing was sent to TikTok after the import

    Example: A full cancellation for a reason TikTok does not allow in the order's status is refused
      Given TikTok has merchant order "U-1" in status UNPAID for "1 x tee-red-l"
      And the orders have been imported
      When the seller cancels every line of order "U-1" with reason "address-not-deliverable"
      Then it is refused, saying "TikTok does not accept the reason 'address-not-deliverable' for an order in status UNPAID"
      And the refusal names the allowed reasons "out-of-stock, wrong-price, buyer-did-not-pay, buyer-requested"
      And nothing was sent to TikTok after the import
      And order "U-1" is "on_hold"

  @R7
  Rule: A full cancellation may only use a seller reason TikTok offers in the store's market

    Scenario Outline: A reason the market does not offer is refused before anything is sent
      Given a connected TikTok store "TikTok <market>" in market "<market>"
      And the listing "mug-1" is mapped to product "MUG"
      And TikTok has merchant order "<order>" in <market> for "1 x mug-1"
      And the orders have been imported
      When the seller cancels every line of order "<order>" with reason "<reason>"
      Then it is refused, saying "<why>"
      And the refusal names the allowed reasons "<allowed>"
      And nothing was sent to TikTok after the import
      And order "<order>" is "awaiting_fulfilment"

      Examples:
        | market | order | reason                  | why                                                                 | allowed                       |
        | SG     | S-1   | address-not-deliverable | TikTok withdrew the reason 'address-not-deliverable' in SG from 2024-03-01 | out-of-stock, wrong-price     |
        | SG     | S-2   | buyer-requested         | TikTok does not offer the reason 'buyer-requested' to sellers in SG | out-of-stock, wrong-price     |
        | VN     | V-1   | buyer-requested         | TikTok does not offer the reason 'buyer-requested' to sellers in VN | out-of-stock, wrong-price     |
        | MX     | X-1   | wrong-price             | TikTok does not offer the reason 'wrong-price' to sellers in MX     | out-of-stock, buyer-requested, address-not-deliverable |
        | BR     | B-1   | wrong-price             | TikTok does not offer the reason 'wrong-price' to sellers in BR     | out-of-stock, buyer-requested, address-not-deliverable |

    Scenario Outline: A reason the market offers is sent under that market's name
      Given a connected TikTok store "TikTok <market>" in market "<market>"
      And the listing "mug-1" is mapped to product "MUG"
      And TikTok has merchant order "<order>" in <market> for "1 x mug-1"
      And the orders have been imported
      When the seller cancels every line of order "<order>" with reason "<reason>"
      Then it succeeds
      And order "<order>" is "cancelled"
      And TikTok was asked to cancel "1 x mug-1" of order "<order>" with reason "<name>"

      Examples:
        | market | order | reason          | name                                                   |
        | JP     | J-1   | potential-fraud | seller_cancel_order_reason_potential_fraud             |
        | PH     | P-1   | buyer-requested | seller_cancel_paid_reason_buyer_requested_cancellation |
        | MX     | X-2   | buyer-requested | seller_cancel_paid_reason_buyer_requested_cancellation |
        | GB     | G-1   | out-of-stock    | seller_cancel_reason_out_of_stock_uk                   |

    Example: TikTok itself refuses a reason its market does not list
      Given a connected TikTok store "TikTok SG" in market "SG"
      And the listing "mug-1" is mapped to product "MUG"
      And TikTok has merchant order "S-1" in SG for "1 x mug-1"
      And the orders have been imported
      When TikTok is asked directly to cancel "1 x mug-1" of order "S-1" with reason "seller_cancel_paid_reason_buyer_requested_cancellation"
      Then TikTok refuses it with code 25001021
      And TikTok has cancelled no line item of order "S-1"
