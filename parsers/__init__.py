"""Pure-Python parsing of annual reports: bytes/text -> Document -> Report (findings are checks/' job).

Nothing in this package imports Scrapy or storage, so it can be used and tested on its own.
"""
