"""The rules, on plain values: cases, triage and its cues, calendar, SLA policy, KPIs, desk rules, outages,
announcement and reply texts, X's automation rules and prices. No AWS, no X client, no settings, no storage
schema; time is passed in."""
