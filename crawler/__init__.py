"""The crawl command, Scrapy settings and pipelines, scheduler and alerts."""
