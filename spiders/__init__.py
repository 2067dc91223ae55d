"""Portal spiders: one generic spider (portal.py) and a class per configured site (sites.py)."""
