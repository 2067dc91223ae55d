"""Alert digests, in three steps: collect (what happened, read from the store) -> render
(Jinja2 templates: the text and HTML parts from one context) -> deliver (the queue, and an
SMTP or outbox sender)."""
