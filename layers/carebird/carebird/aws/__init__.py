"""AWS's side: the table's schema (the only place keys and attribute names are written), the case writer and
reader, outbox, cursors, timers, secrets, metrics, tracing, the boto3 clients. Adapters: they import the domain,
never a use case."""
