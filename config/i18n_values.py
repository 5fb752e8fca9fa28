"""Sentences about figures as people type them (measure words, numerals), in Chinese and English.

Merged into `config.i18n.MESSAGES`; every key starts with `val_`.
"""

from __future__ import annotations

VALUE_MESSAGES: dict[str, tuple[str, str]] = {}
