"""Where evidence files lie: one copy per content, named by its SHA-256, under one directory.

A sender's file name never becomes a path (no traversal, no overwrite): the stored name is
`<first two hex digits>/<sha256>.<sniffed extension>`. A file is written to a temporary name and
renamed into place, so a crash never leaves half a file under a real name; writing the same content
again finds it there and writes nothing.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
_HASH = re.compile(r"^[0-9a-f]{64}$")
_EXT = re.compile(r"^[a-z0-9]{1,8}$")


def content_hash(data: bytes) -> str:
    """The SHA-256 of a file's bytes, in hex: its identity in the store."""
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class EvidenceStore:
    """The evidence directory (DUBAN_EVIDENCE_DIR, default ./data/evidence) and the largest file
    it takes (DUBAN_EVIDENCE_MAX_MB, default 20 MB: what a Telegram bot may download)."""

    root: Path
    max_bytes: int = DEFAULT_MAX_BYTES

    def relative(self, sha256: str, ext: str) -> str:
        """The stored file's path below the root, as written in exports."""
        if not _HASH.match(sha256) or not _EXT.match(ext):
            raise ValueError("not a stored file's hash and extension")
        return f"{sha256[:2]}/{sha256}.{ext}"

    def path(self, sha256: str, ext: str) -> Path:
        """Where the file with this hash lies."""
        return self.root / self.relative(sha256, ext)

    def has(self, sha256: str, ext: str) -> bool:
        """Whether the file is on disk."""
        return self.path(sha256, ext).is_file()

    def put(self, data: bytes, ext: str) -> str:
        """Keep `data` (once) and return its hash. Blocking: call it in a worker thread."""
        sha256 = content_hash(data)
        target = self.path(sha256, ext)
        if target.is_file() and target.stat().st_size == len(data):
            return sha256
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return sha256

    def read(self, sha256: str, ext: str) -> bytes:
        """The stored file's bytes. Blocking: call it in a worker thread."""
        return self.path(sha256, ext).read_bytes()
