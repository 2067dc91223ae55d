"""The rules: a report (and the reports and facts around it) -> findings. Plain Python.

checks.assess is the one entry point that decides every finding; the other modules hold the
rules themselves, grouped by what they look at. Imports only the model (parsers.model) and
common: the parser does not run rules, and storage asks them through its Judge protocol.
"""
