"""Tests of the fixture portals themselves (crawler.demo_portal)."""
