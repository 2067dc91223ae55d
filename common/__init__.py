"""What every layer shares and depends on nothing: the named constants."""
