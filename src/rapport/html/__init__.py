"""The web edition: the same content as one self-contained, accessible HTML page."""

from rapport.html.write import HtmlPage, render_page

__all__ = ["HtmlPage", "render_page"]
