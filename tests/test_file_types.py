"""Evidence files are recognised by their content, and stored under their hash whatever their name."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.evidence_store import EvidenceStore, content_hash
from models.file_types import DOC, DOCX, GIF, JPEG, ODT, OFD, PDF, PNG, PPT, XLS, XLSX, ZIP, sniff
from tests.fake_telegram import tiny_png


def zipped(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def ole(stream: str) -> bytes:
    """The head of an OLE2 compound file whose directory names `stream` (UTF-16LE, as Office writes it)."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500 + stream.encode("utf-16-le") + b"\x00" * 100


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"%PDF-1.7\n...", PDF),
        (tiny_png(), PNG),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", JPEG),
        (b"GIF89a\x01\x00\x01\x00", GIF),
        (ole("WordDocument"), DOC),
        (ole("Workbook"), XLS),
        (ole("PowerPoint Document"), PPT),
        (zipped({"[Content_Types].xml": b"", "word/document.xml": b""}), DOCX),
        (zipped({"[Content_Types].xml": b"", "xl/workbook.xml": b""}), XLSX),
        (zipped({"mimetype": b"application/vnd.oasis.opendocument.text"}), ODT),
        (zipped({"OFD.xml": b"<ofd/>"}), OFD),
        (zipped({"说明.txt": b"hello"}), ZIP),
    ],
)
def test_accepted_types_are_recognised_by_content(data: bytes, kind: object) -> None:
    assert sniff(data) == kind


@pytest.mark.parametrize(
    "data",
    [
        b"MZ\x90\x00" + b"\x00" * 100,  # a Windows program, whatever its name says
        b"\x7fELF\x02\x01\x01",  # a Linux program
        b"#!/bin/sh\nrm -rf /\n",
        b"<html><script>alert(1)</script>",
        b"PK\x03\x04 not really a zip",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 an OLE file with no known stream",
        b"",
    ],
)
def test_other_content_is_refused(data: bytes) -> None:
    assert sniff(data) is None


@given(st.binary(max_size=64))
def test_sniffing_never_fails_on_any_bytes(data: bytes) -> None:
    sniff(data)


def test_a_file_is_stored_once_under_its_hash(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path / "evidence")
    first = store.put(b"%PDF-1.4 a", "pdf")
    second = store.put(b"%PDF-1.4 a", "pdf")
    assert first == second == content_hash(b"%PDF-1.4 a")
    assert store.relative(first, "pdf") == f"{first[:2]}/{first}.pdf"
    assert [p.name for p in (tmp_path / "evidence").rglob("*") if p.is_file()] == [f"{first}.pdf"]
    assert store.read(first, "pdf") == b"%PDF-1.4 a"


@pytest.mark.parametrize(("sha", "ext"), [("../../etc/passwd", "pdf"), ("a" * 64, "../x"), ("A" * 64, "pdf")])
def test_the_store_refuses_names_that_are_not_a_hash(tmp_path: Path, sha: str, ext: str) -> None:
    with pytest.raises(ValueError, match="hash"):
        EvidenceStore(tmp_path).path(sha, ext)
