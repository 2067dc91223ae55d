"""URL helpers: which links of a report page are its attachments."""

from __future__ import annotations

from parsers.html import parse_html
from spiders.urls import attachment_urls

PAGE = "https://www.bjdch.gov.cn/zfxxgk/2021nb/dcqzfbm2021/202201/t20220120_2994630.html"


def test_attachments_are_the_document_links_absolute_and_once() -> None:
    html = """<html><head><title>t</title></head><body>
      <div class="TRS_Editor"><p>正文</p>
      <p><a href="./P020220120537110155712.pdf">附件1</a></p>
      <p><a href=" ./P020220120537110155712.pdf ">附件1（再次）</a></p>
      <p><a href="/files/表格.XLSX">附件2</a> <a href="../nb.docx#page=2">附件3</a></p>
      </div>
      <a href="index.html">返回</a><a href="download.jsp?f=a.pdf">下载</a><a>no href</a>
    </body></html>"""
    doc = parse_html(html.encode("utf-8"))
    assert doc.links[0] == "./P020220120537110155712.pdf" and "index.html" in doc.links
    assert attachment_urls(PAGE, doc.links) == [
        "https://www.bjdch.gov.cn/zfxxgk/2021nb/dcqzfbm2021/202201/P020220120537110155712.pdf",
        "https://www.bjdch.gov.cn/files/表格.XLSX",
        "https://www.bjdch.gov.cn/zfxxgk/2021nb/dcqzfbm2021/nb.docx#page=2",
    ]
    # A script's download endpoint is no attachment of the page by its name.
    assert attachment_urls(PAGE, ["download.jsp?f=a.pdf"]) == []
