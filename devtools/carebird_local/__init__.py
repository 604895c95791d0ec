"""carebird's development tooling: the `carebird` CLI, the embedded local stack, the demo and its simulator.

Not part of the Lambda layer (layers/carebird ships only what the functions import); `make install` puts
it in the project's virtualenv with the `local` extra (click, moto, PyYAML).
"""
