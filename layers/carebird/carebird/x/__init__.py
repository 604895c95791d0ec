"""X's side: payload parsing (both feeds, both field dialects), signature, the X clients, OAuth 2.0 tokens,
subscriptions, batch compliance. Adapters: they import the domain, never a use case."""
