"""Sample X deliveries for the local demo (Account Activity API shapes)."""
