"""Use cases: they wire the domain to the ports. Ingest, webhook, polling and watch, answering and the agents'
desk (inbox and CLI alike), automation and announcing, escalation, compliance, health, digest, KPI counting, the
table's stream records, the inbox's views and Routers."""
