"""What kind of file a sender handed in, read from its first bytes, never from its name.

Evidence (佐证材料) is documents, scans and screenshots: PDF, OFD (China's fixed-layout format), images,
Word/Excel/PowerPoint and WPS documents (old binary and new XML formats), and zip archives. Anything
else (a program renamed .pdf, a script) is refused. The old Office/WPS binary formats share one
container (OLE2); which application wrote it is read from the container's directory entries.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass


@dataclass(frozen=True)
class FileType:
    """A type Duban accepts: the extension its stored copy gets, its MIME type, and a label."""

    ext: str
    mime: str
    label: str


PDF = FileType("pdf", "application/pdf", "PDF")
OFD = FileType("ofd", "application/ofd", "OFD")
PNG = FileType("png", "image/png", "PNG")
JPEG = FileType("jpg", "image/jpeg", "JPEG")
GIF = FileType("gif", "image/gif", "GIF")
BMP = FileType("bmp", "image/bmp", "BMP")
TIFF = FileType("tif", "image/tiff", "TIFF")
WEBP = FileType("webp", "image/webp", "WebP")
HEIC = FileType("heic", "image/heic", "HEIC")
DOC = FileType("doc", "application/msword", "Word 97-2003/WPS")
XLS = FileType("xls", "application/vnd.ms-excel", "Excel 97-2003/WPS")
PPT = FileType("ppt", "application/vnd.ms-powerpoint", "PowerPoint 97-2003/WPS")
DOCX = FileType("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word")
XLSX = FileType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel")
PPTX = FileType("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", "PowerPoint")
ODT = FileType("odt", "application/vnd.oasis.opendocument.text", "OpenDocument")
ODS = FileType("ods", "application/vnd.oasis.opendocument.spreadsheet", "OpenDocument")
ZIP = FileType("zip", "application/zip", "ZIP")

KNOWN = (PDF, OFD, PNG, JPEG, GIF, BMP, TIFF, WEBP, HEIC, DOC, XLS, PPT, DOCX, XLSX, PPTX, ODT, ODS, ZIP)


def by_ext(ext: str) -> FileType:
    """The type a stored file was sniffed as, from the extension it was stored under."""
    return next((k for k in KNOWN if k.ext == ext), FileType(ext, "application/octet-stream", ext.upper()))


_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OLE_STREAMS = (("WordDocument", DOC), ("Workbook", XLS), ("Book", XLS), ("PowerPoint Document", PPT))
_OOXML = (("word/", DOCX), ("xl/", XLSX), ("ppt/", PPTX))
_ODF = {b"application/vnd.oasis.opendocument.text": ODT, b"application/vnd.oasis.opendocument.spreadsheet": ODS}
_ISO_BRANDS = (b"heic", b"heix", b"heif", b"mif1", b"msf1", b"hevc")


def sniff(data: bytes) -> FileType | None:
    """The accepted type `data` is, or None (refused). Only the content is looked at."""
    head = data[:16]
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head.startswith(b"BM") and len(data) > 26:
        return BMP
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return TIFF
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return WEBP
    if head[4:8] == b"ftyp" and head[8:12] in _ISO_BRANDS:
        return HEIC
    if head.startswith(_OLE2):
        return _ole(data)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip(data)
    return None


def _ole(data: bytes) -> FileType | None:
    """An old Office/WPS file: which application by the stream names in its directory (UTF-16LE)."""
    for stream, kind in _OLE_STREAMS:
        if stream.encode("utf-16-le") in data:
            return kind
    return None


def _zip(data: bytes) -> FileType | None:
    """A zip container: an OOXML or OpenDocument document, an OFD, or a plain archive."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if "mimetype" in names and archive.getinfo("mimetype").file_size < 200:  # never inflate a bomb
                kind = _ODF.get(archive.read("mimetype").strip())
                if kind is not None:
                    return kind
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, KeyError):
        return None
    if "[Content_Types].xml" in names:
        for prefix, kind in _OOXML:
            if any(n.startswith(prefix) for n in names):
                return kind
    if "OFD.xml" in names:
        return OFD
    return ZIP

