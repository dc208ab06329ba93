Feature: Order import
  The OMS imports a store's TikTok orders again and again. Importing never duplicates anything,
  the newest version of an order wins, and what changed on TikTok reaches the OMS order.

  Background:
    Given a connected TikTok store "TikTok US"
    And the listing "tee-red-l" is mapped to product "TEE-RED-L"
    And the listing "mug-1" is mapped to product "MUG"
    And a warehouse "East"

  @R16
  Rule: Importing is idempotent and newest-wins

    Background:
      Given TikTok has merchant order "M-1" for "2 x tee-red-l, 1 x mug-1"
      And the orders have been imported

    Example: Importing the same orders again never duplicates an order or a line
      When the OMS imports every order again
      Then it succeeds
      And the OMS holds exactly the orders "M-1"
      And order "M-1" holds "2 x tee-red-l, 1 x mug-1"

    Example: Importing again keeps the parts of a split order as they are
      Given "1 x mug-1" has been split off order "M-1"
      When the OMS imports every order again
      Then order "M-1" is in 2 parts
      And part 1 of order "M-1" holds "2 x tee-red-l"
      And part 2 of order "M-1" holds "1 x mug-1"

    Example: An older version of an order never overwrites a newer one
      Given TikTok has merchant order "H-1" in status ON_HOLD for "1 x tee-red-l"
      And the orders have been imported
      And TikTok has released the hold on order "H-1"
      And the orders have been imported
      And TikTok's search lags and returns order "H-1" as it was before that change
      When the OMS imports every order again
      Then it succeeds
      And order "H-1" is "awaiting_fulfilment"
      And order "H-1" ships to "Dana Whitfield, 5800 Bristol Pkwy, Culver City, 90230, US"

  @R17
  Rule: Changes made on TikTok reach the OMS order on the next import

    Example: A buyer's cancellation on TikTok cancels the OMS order
      Given TikTok has merchant order "M-1" for "2 x tee-red-l, 1 x mug-1"
      And the orders have been imported
      And the buyer has cancelled order "M-1" on TikTok
      When the OMS imports the orders
      Then order "M-1" is "cancelled"
      And every line of order "M-1" is "cancelled"

    Example: A shipment made outside the OMS ships the OMS order
      Given TikTok has merchant order "M-1" for "2 x tee-red-l, 1 x mug-1"
      And the orders have been imported
      And order "M-1" has been shipped outside the OMS
      When the OMS imports the orders
      Then order "M-1" is "shipped"
      And every line of order "M-1" is "shipped"

    Example: The address TikTok releases after the hold reaches the OMS order
      Given TikTok has merchant order "H-1" in status ON_HOLD for "1 x tee-red-l"
      And the orders have been imported
      And TikTok has released the hold on order "H-1"
      When the OMS imports the orders
      Then order "H-1" ships to "Dana Whitfield, 5800 Bristol Pkwy, Culver City, 90230, US"
      And order "H-1" is "awaiting_fulfilment"

  @R18
  Rule: An order TikTok still holds is imported but cannot be shipped until TikTok releases it

    Background:
      Given TikTok has merchant order "H-1" in status ON_HOLD for "1 x tee-red-l"

    Example: An order on hold is imported On Hold, without an address yet
      When the OMS imports the orders
      Then order "H-1" is "on_hold"
      And order "H-1" has no address yet

    Example: An order on hold cannot be shipped and nothing is sent to TikTok
      Given the orders have been imported
      And order "H-1" is routed to warehouse "East"
      When the seller ships order "H-1" with "USPS" tracking "9400111"
      Then it is refused, saying "cannot ship an order TikTok still holds (ON_HOLD, the buyer's remorse window)"
      And nothing was sent to TikTok after the import
      And order "H-1" is "on_hold"

    Example: Once TikTok releases the order and it is imported again, it can be shipped
      Given the orders have been imported
      And order "H-1" is routed to warehouse "East"
      And TikTok has released the hold on order "H-1"
      And the orders have been imported
      When the seller ships order "H-1" with "USPS" tracking "9400111"
      Then it succeeds
      And order "H-1" is "shipped"
      And TikTok shipped order "H-1" in package "9400111"
