"""Scrapy commands of the project (COMMANDS_MODULE): Scrapy's own, where the project needs them to say more."""
