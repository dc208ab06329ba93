Feature: Store connection
  A seller creates a TikTok store in the store directory, then connects it by authorizing the
  OMS on TikTok Shop. A store the OMS cannot reach says so and shows as Disconnected.

  @R1
  Rule: A new TikTok store is created with the general store settings and starts Disconnected

    Example: A saved store starts Disconnected
      When the seller creates the TikTok store "TikTok US" in region "US" with currency "USD"
      Then store "TikTok US" is "disconnected"
      And store "TikTok US" sells in region "US" with currency "USD"

    Example: A default warehouse for merchant orders can be chosen
      Given a warehouse "East"
      When the seller creates the TikTok store "TikTok US" shipping merchant orders from "East"
      Then store "TikTok US" ships merchant orders from "East"

    Example: A store needs a name
      When the seller creates a TikTok store with the name "   "
      Then it is refused because the store has no name

    Example: Store names are unique
      Given a TikTok store "TikTok US"
      When the seller creates the TikTok store "TikTok US" in region "US" with currency "USD"
      Then it is refused, saying "store already exists: TikTok US"

    Example: Store names are unique regardless of case
      Given a TikTok store "TikTok US"
      When the seller creates the TikTok store "tiktok us" in region "US" with currency "USD"
      Then it is refused, saying "store already exists: TikTok US"

  @R2
  Rule: A store is connected by authorizing it on TikTok; a failed authorization says why

    Background:
      Given a TikTok store "TikTok US"
      And the seller has opened TikTok's authorization page for "TikTok US"

    Example: The seller grants the requested permissions and the store becomes Connected
      When the seller grants the requested permissions and returns to the OMS
      Then store "TikTok US" is "connected"
      And store "TikTok US" is connected to TikTok shop "Goflow Demo Shop"

    Example: A callback whose state does not match leaves the store Disconnected
      When the seller returns to the OMS with a state that does not match
      Then it is refused, saying "the callback's state does not match"
      And store "TikTok US" is disconnected, saying "the callback's state does not match"
      And TikTok was not asked for a token

    Example: A callback that does not match never voids the pending authorization
      Given a callback with a state that does not match has been refused
      And a truncated redirect URL without code or state has been refused
      When the seller grants the requested permissions and returns to the OMS
      Then it succeeds
      And store "TikTok US" is "connected"

    Example: A state serves one callback only
      Given the seller has granted the requested permissions and returned to the OMS
      When the seller grants the requested permissions and returns to the OMS
      Then it is refused, saying "no authorization is pending for this store"
      And store "TikTok US" is "connected"

    Example: An install started in TikTok Shop's App Store connects the store the seller names
      When the seller installs the OMS from TikTok Shop's App Store and connects "TikTok US" with its URL
      Then it succeeds
      And store "TikTok US" is connected to TikTok shop "Goflow Demo Shop"

    Example: A URL with a wrong state is refused even when the seller names the store
      When the seller connects "TikTok US" by hand with a URL whose state does not match
      Then it is refused, saying "the callback's state does not match"
      And TikTok was not asked for a token

    Example: A code TikTok refuses leaves the store Disconnected
      When the seller returns to the OMS with a code TikTok does not know
      Then it is refused, saying "auth_code is invalid"
      And store "TikTok US" is disconnected, saying "auth_code is invalid"

    Example: A seller who denies access leaves the store Disconnected
      When the seller denies access on TikTok and returns to the OMS
      Then it is refused, saying "the seller did not grant access"
      And store "TikTok US" is disconnected, saying "the seller did not grant access"

    Example: A grant that lacks a permission the OMS needs leaves the store Disconnected
      When the seller grants every permission but "seller.fulfillment.basic" and returns to the OMS
      Then it is refused, saying "lacks permissions the OMS needs: seller.fulfillment.basic"
      And store "TikTok US" is disconnected, saying "seller.fulfillment.basic"

  @R2
  Rule: Tokens are refreshed before they expire; a store whose refresh is refused goes back to Disconnected

    Background:
      Given a connected TikTok store "TikTok US"

    Example: An access token a day from expiry is refreshed before it is used
      Given 6 days have passed
      When the OMS imports the orders
      Then it succeeds
      And TikTok was asked to refresh the access token
      And store "TikTok US" is "connected"

    Example: An access token TikTok calls expired is refreshed and the call made again
      Given TikTok has expired the store's access token
      When the OMS imports the orders
      Then it succeeds
      And TikTok was asked to refresh the access token

    Example: A store whose refresh TikTok refuses goes back to Disconnected
      Given the seller has revoked the OMS's access on TikTok
      And 6 days have passed
      When the OMS imports the orders
      Then it is refused, saying "TikTok refused to refresh its access token"
      And store "TikTok US" is disconnected, saying "TikTok refused to refresh its access token"

  @R2
  Rule: One TikTok shop belongs to one store

    Example: Connecting a second store to a shop already connected is refused, naming the store
      Given a connected TikTok store "TikTok US"
      And a TikTok store "TikTok US copy"
      When the seller authorizes "TikTok US copy" with the same TikTok account
      Then it is refused, saying "TikTok shop 'Goflow Demo Shop' is already connected to store 'TikTok US'"
      And store "TikTok US copy" is "disconnected"
      And store "TikTok US" is "connected"
