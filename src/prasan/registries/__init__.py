"""The agencies that own records, as providers on the exchange (the population register first).

Each registry keeps its own tables and answers other agencies only through the exchange hub: a
registry adds no route to the main web application, and no other part reads its tables.
"""
