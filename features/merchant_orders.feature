Feature: Merchant orders
  TikTok has no multi-quantity lines. The seller can split a multi-line order and ship each part
  from a different warehouse; TikTok is told which line items each package holds.

  Background:
    Given a connected TikTok store "TikTok US"
    And the listing "tee-red-l" is mapped to product "TEE-RED-L"
    And the listing "mug-1" is mapped to product "MUG"

  @R3
  Rule: Every unit is its own order line of quantity 1

    Example: Two units of one SKU come in as two lines, each with its own TikTok line item
      Given TikTok has merchant order "M-1" for "2 x tee-red-l, 1 x mug-1"
      When the OMS imports the orders
      Then order "M-1" has 3 lines of quantity 1
      And each line of order "M-1" has its own TikTok line item

    Example: An input that claims 3 units of one line becomes 3 lines
      Given TikTok has merchant order "M-2" for "1 x tee-red-l"
      And TikTok's line item of order "M-2" claims quantity 3
      When the OMS imports the orders
      Then order "M-2" has 3 lines of quantity 1
      And each line of order "M-2" has its own TikTok line item

    Example: An order line never holds more than one unit
      When an order line is made with quantity 2
      Then it is refused, saying "a TikTok order line always holds quantity 1, not 2"

  @R4
  Rule: A multi-line merchant order can be split; each part keeps at least one line

    Background:
      Given TikTok has merchant order "M-1" for "2 x tee-red-l, 1 x mug-1"
      And the orders have been imported

    Example: Chosen lines move to a new order linked to the original
      When the seller splits "1 x mug-1" off order "M-1"
      Then it succeeds
      And order "M-1" is in 2 parts
      And part 1 of order "M-1" holds "2 x tee-red-l"
      And part 2 of order "M-1" holds "1 x mug-1"
      And part 2 of order "M-1" is linked to part 1 as the same TikTok order

    Example: A split that would leave the original without a line is refused
      When the seller splits "2 x tee-red-l, 1 x mug-1" off order "M-1"
      Then it is refused, saying "a split must leave at least one line on each part"
      And order "M-1" is not split

  @R5
  Rule: Each part of a split order ships from its own warehouse, and TikTok learns what each package holds

    Background:
      Given a warehouse "East"
      And a warehouse "West"
      And TikTok has merchant order "M-1" for "2 x tee-red-l, 1 x mug-1"
      And the orders have been imported
      And "1 x mug-1" has been split off order "M-1"

    Example: Two parts ship from two warehouses as two packages
      Given part 1 of order "M-1" is routed to warehouse "East"
      And part 2 of order "M-1" is routed to warehouse "West"
      When the seller ships part 1 of order "M-1" with "USPS" tracking "9400111"
      And the seller ships part 2 of order "M-1" with "UPS" tracking "1Z999AA1"
      Then part 1 of order "M-1" is "shipped"
      And part 2 of order "M-1" is "shipped"
      And part 1 of order "M-1" was shipped from "East" with "USPS"
      And part 2 of order "M-1" was shipped from "West" with "UPS"
      And TikTok's package "9400111" holds exactly the line items of part 1 of order "M-1"
      And TikTok's package "1Z999AA1" holds exactly the line items of part 2 of order "M-1"

    Example: A part without a warehouse cannot be shipped
      When the seller ships part 2 of order "M-1" with "USPS" tracking "9400111"
      Then it is refused, saying "assign a warehouse to the order before shipping it"
      And nothing was sent to TikTok after the import

    Example: A carrier TikTok does not list for the order is refused
      Given part 2 of order "M-1" is routed to warehouse "West"
      When the seller ships part 2 of order "M-1" with "Pony Express" tracking "PX-1"
      Then it is refused, saying "TikTok does not list carrier 'Pony Express'"
      And part 2 of order "M-1" is "awaiting_fulfilment"
