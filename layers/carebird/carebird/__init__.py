"""carebird: a serverless customer-care desk for a brand's X account."""

__version__ = "0.1.0"
