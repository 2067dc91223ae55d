"""The exceptions parsers raise for bad input; each message is a single readable line."""


class ParseError(ValueError):
    """Input that is not a readable annual report (not HTML/text, empty, too large, ...)."""


class NotAReport(ParseError):
    """A readable page that is not an annual report (a 解读, a notice, a list page, a soft 404)."""
