"""Tests of the fixture portals themselves (fixture_portal)."""
