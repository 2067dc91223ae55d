"""The exceptions parsers raise for bad input; each message is a single readable line."""


class ParseError(ValueError):
    """Input that is not a readable annual report (not HTML/text, empty, too large, ...)."""


class NotAReport(ParseError):
    """A readable page that is not an annual report (a 解读, a notice, a list page, a soft 404)."""


class NoReportText(NotAReport):
    """A page whose title names a report but that holds none of its text or tables: the report is
    published as images or as an attachment only. `links` are the page's links (its attachments
    among them); `agency` and `year` those its title names."""

    def __init__(
        self, message: str, links: list[str] | None = None, agency: str | None = None, year: int | None = None
    ) -> None:
        super().__init__(message)
        self.links, self.agency, self.year = links or [], agency, year

    def __reduce__(self) -> tuple:  # all of it across processes (the parse worker), not only the message
        return (type(self), (str(self), self.links, self.agency, self.year))


class MissingTool(ParseError):
    """A file the report is in, that needs a tool this machine lacks or that is not enabled: LibreOffice
    for .doc/.wps, OCR for a scan. The message names the tool ("needs LibreOffice to read .wps")."""
