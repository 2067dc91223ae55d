"""`crawl parse` of a saved 图片版 page (a report shown as images of its pages): its images are the
files beside the page that its <img> name (a browser's "save page" folder, or a page saved at its
URL's path with its images), read by OCR; those not there are named in one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.cli import main
from fixture_portal.file_sites import HONGZE, image_page, image_site
from tests.spiders.test_crawl_files import FILES, TRUTH

HOST = "http://www.hongze.gov.cn/xxgk/gknb/202501/"


def save_page(folder: Path, sources: list[str], files: list[str]) -> Path:
    """The fixture 图片版 page saved as `folder`/page.html with its <img> `sources`, and its two page
    images saved as `files` (paths under `folder`)."""
    site = image_site(FILES)
    for path, name in zip(site.traps["images"], files):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(site[path].render(""))
    page = folder / "page.html"
    page.write_text(image_page(HONGZE, "2025-01-22 09:00", sources), encoding="utf-8")
    return page


def test_a_saved_picture_page_is_read_from_the_images_beside_it(tmp_path: Path, capsys) -> None:
    pytest.importorskip("rapidocr_onnxruntime", reason="the ocr extra is not installed")
    # One src as a browser saves it (a folder beside the page), one still the portal's URL.
    files = ["page_files/W020250122P3.jpg", "W020250122P4.jpg"]
    page = save_page(tmp_path, [files[0], HOST + files[1]], files)
    assert main(["parse", "--ocr", "--json", str(page)]) == 0  # OCR's errors are warnings until confirmed
    data = json.loads(capsys.readouterr().out)
    truth = TRUTH["hongze-2024.pdf"]
    assert (data["agency"], data["year"], data["published"]) == ("淮安市洪泽区人民政府", 2024, "2025-01-22")
    assert data["applications"] == truth["applications"]
    assert data["review_litigation"] == truth["review_litigation"]
    source = data["source"]
    assert (source["file"], source["method"], source["pages"], source["images"]) == ("page.html", "ocr", 2, files)


def test_page_images_not_beside_the_page_are_named_in_one_line(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "saved"
    folder.mkdir()
    # The second image is in the folder above: nothing outside the page's folder is read.
    page = save_page(folder, ["W020250122P3.jpg", "../W020250122P4.jpg"], ["W020250122P3.jpg", "../W020250122P4.jpg"])
    assert main(["parse", "--ocr", str(page)]) == 1
    err = capsys.readouterr().err
    assert err == f"crawl parse: {page}: 1 of the page's 2 page images (图片版) are not beside it in {folder}: " \
                  "../W020250122P4.jpg\n"  # fmt: skip


def test_with_ocr_off_a_saved_picture_page_says_so(tmp_path: Path, capsys) -> None:
    names = ["W020250122P3.jpg", "W020250122P4.jpg"]
    page = save_page(tmp_path, names, names)
    assert main(["parse", str(page)]) == 1
    assert capsys.readouterr().err == f"crawl parse: {page}: 2 page image(s) (图片版): reading it needs OCR, " \
                                      "which is off ([crawl] ocr = true, or crawl parse --ocr)\n"  # fmt: skip
