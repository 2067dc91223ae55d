"""The one exception parsers raise for bad input; its message is a single readable line."""


class ParseError(ValueError):
    """Input that is not a readable annual report (not HTML/text, empty, too large, ...)."""
