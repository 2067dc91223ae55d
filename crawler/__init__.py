"""The crawl command, config, Scrapy settings and pipelines, crawl-health monitors and the scheduler."""
