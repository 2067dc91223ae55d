"""Pure-Python parsing of annual reports: bytes/text -> Document -> Report -> findings.

Nothing in this package imports Scrapy, so it can be used and tested on its own.
"""
