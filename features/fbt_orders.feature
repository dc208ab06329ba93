Feature: Fulfilled-by-TikTok orders
  FBT orders are processed by TikTok and need no action in the OMS. Importing them, from a start
  date into a special FBT warehouse, feeds inventory balancing, reporting and analytics.

  Background:
    Given today is "2026-11-27"
    And a connected TikTok store "TikTok US"
    And the listing "tee-red-l" is mapped to product "TEE-RED-L"
    And an FBT warehouse "TikTok FBT" for store "TikTok US"

  @R8
  Rule: FBT orders cannot be split, routed, shipped or cancelled in the OMS

    Background:
      Given a warehouse "East"
      And FBT import is enabled from "2026-11-01" into "TikTok FBT"
      And TikTok has FBT order "F-1" for "2 x tee-red-l"
      And the orders have been imported

    Example: An FBT order cannot be split
      When the seller splits "1 x tee-red-l" off order "F-1"
      Then it is refused, saying "cannot split an FBT order: Fulfilled-by-TikTok orders are processed by TikTok"
      And order "F-1" is not split

    Example: An FBT order cannot be routed to a warehouse
      When the seller assigns order "F-1" to warehouse "East"
      Then it is refused, saying "cannot route an FBT order"
      And order "F-1" is assigned to warehouse "TikTok FBT"

    Example: An FBT order cannot be shipped
      When the seller ships order "F-1" with "USPS" tracking "9400111"
      Then it is refused, saying "cannot ship an FBT order"
      And nothing was sent to TikTok after the import

    Example: An FBT order cannot be cancelled
      When the seller cancels every line of order "F-1" with reason "out-of-stock"
      Then it is refused, saying "cannot cancel an FBT order"
      And nothing was sent to TikTok after the import
      And order "F-1" is "shipped"

  @R9
  Rule: FBT import is off by default, and starts no earlier than the first day of the current month

    Example: A new store does not import FBT orders
      Then store "TikTok US" does not import FBT orders

    Example: A start date before the first day of the month is refused, naming the earliest date
      When the seller enables FBT import from "2026-10-31" into "TikTok FBT"
      Then it is refused, saying "FBT import can start no earlier than 2026-11-01"
      And store "TikTok US" does not import FBT orders

    Example: The first day of the current month is the earliest start date
      When the seller enables FBT import from "2026-11-01" into "TikTok FBT"
      Then it succeeds
      And store "TikTok US" imports FBT orders from "2026-11-01" into "TikTok FBT"

    Example: Enabling FBT import needs an FBT warehouse
      Given a warehouse "East"
      When the seller enables FBT import from "2026-11-01" into "East"
      Then it is refused, saying "warehouse 'East' is not an FBT warehouse"
      And store "TikTok US" does not import FBT orders

    Example: A store with FBT import disabled imports no FBT orders
      Given TikTok has FBT order "F-1" for "1 x tee-red-l"
      And TikTok has merchant order "M-1" for "1 x tee-red-l"
      When the OMS imports the orders
      Then the OMS holds exactly the orders "M-1"

    Example: FBT orders created before the start date are not imported
      Given FBT import is enabled from "2026-11-15" into "TikTok FBT"
      And TikTok has FBT order "F-OLD" created on 2026-11-14 for "1 x tee-red-l"
      And TikTok has FBT order "F-NEW" created on 2026-11-15 for "1 x tee-red-l"
      When the OMS imports the orders
      Then the OMS holds exactly the orders "F-NEW"

  @R10
  Rule: An FBT warehouse belongs to one TikTok store and merchant orders are never routed to it

    Example: An FBT warehouse is created for one store
      When the seller creates an FBT warehouse "Orphan FBT" without a store
      Then it is refused, saying "an FBT warehouse is created for one TikTok store"

    Example: Every imported FBT order is assigned to its store's FBT warehouse
      Given FBT import is enabled from "2026-11-01" into "TikTok FBT"
      And TikTok has FBT order "F-1" for "1 x tee-red-l"
      When the OMS imports the orders
      Then order "F-1" is assigned to warehouse "TikTok FBT"

    Example: A merchant order cannot be routed to an FBT warehouse
      Given TikTok has merchant order "M-1" for "1 x tee-red-l"
      And the orders have been imported
      When the seller assigns order "M-1" to warehouse "TikTok FBT"
      Then it is refused, saying "warehouse 'TikTok FBT' is an FBT warehouse: merchant orders cannot be routed to it"
      And order "M-1" has no warehouse

  @R11
  Rule: FBT orders are imported Shipped when every listing on them is mapped

    Example: An FBT order of mapped listings comes in Shipped
      Given FBT import is enabled from "2026-11-01" into "TikTok FBT"
      And TikTok has FBT order "F-1" for "2 x tee-red-l"
      When the OMS imports the orders
      Then order "F-1" is "shipped"
      And order "F-1" is fulfilled by "store"

  @R13
  Rule: The order list can be filtered by who fulfils

    Background:
      Given FBT import is enabled from "2026-11-01" into "TikTok FBT"
      And TikTok has FBT order "F-1" for "1 x tee-red-l"
      And TikTok has merchant order "M-1" for "1 x tee-red-l"
      And the orders have been imported

    Example: Fulfilled By "<fulfilled_by>" lists <kind> orders
      When the seller lists the orders fulfilled by "<fulfilled_by>"
      Then the list shows exactly the orders "<orders>"

      Examples:
        | fulfilled_by | kind                | orders |
        | store        | FBT                 | F-1    |
        | merchant     | the seller's own    | M-1    |

  @R15
  Rule: Imported FBT orders feed inventory balancing and reporting

    Background:
      Given FBT import is enabled from "2026-11-01" into "TikTok FBT"

    Example: Once Shipped, an FBT order's units leave the FBT warehouse's stock
      Given TikTok has FBT order "F-1" for "2 x tee-red-l"
      When the OMS imports the orders
      Then the stock of "TEE-RED-L" in "TikTok FBT" went down by 2

    Example: Importing an FBT order again does not move its stock twice
      Given TikTok has FBT order "F-1" for "2 x tee-red-l"
      And the orders have been imported
      When the OMS imports every order again
      Then the stock of "TEE-RED-L" in "TikTok FBT" went down by 2

    Example: A unit cancelled before its package left the FBT warehouse comes back to stock
      Given TikTok has FBT order "F-1" for "1 x tee-red-l"
      And the orders have been imported
      And the buyer has cancelled order "F-1" on TikTok
      When the OMS imports the orders
      Then order "F-1" is "cancelled"
      And the FBT stock of "TEE-RED-L" in "TikTok FBT" is 0

    Example: A unit TikTok cancels after its package left the FBT warehouse does not come back
      Given TikTok has FBT order "F-1" for "1 x tee-red-l"
      And the orders have been imported
      And TikTok's package of order "F-1" has left the FBT warehouse
      And the orders have been imported
      And TikTok has cancelled order "F-1" with the system reason "threepl_breach"
      When the OMS imports the orders
      Then order "F-1" is "cancelled"
      And the FBT stock of "TEE-RED-L" in "TikTok FBT" is -1

    Example: A package TikTok reports lost does not come back, even unseen in transit
      Given TikTok has FBT order "F-1" for "1 x tee-red-l"
      And the orders have been imported
      And TikTok has cancelled order "F-1" with the system reason "package_lost"
      When the OMS imports the orders
      Then order "F-1" is "cancelled"
      And the FBT stock of "TEE-RED-L" in "TikTok FBT" is -1

    Example: Sales are reported by store and by who fulfils
      Given TikTok has FBT order "F-1" for "2 x tee-red-l"
      And TikTok has merchant order "M-1" for "1 x tee-red-l"
      And the orders have been imported
      When the seller asks for the sales report
      Then the sales report shows
        | store     | fulfilled_by | orders | units | revenue |
        | TikTok US | merchant     | 1      | 1     | 19.99   |
        | TikTok US | store        | 1      | 2     | 39.98   |
