"""SQLite storage through sqlite-utils: reports, versions, cells, findings, pages, crawl runs."""
