"""Sentences about figures as people type them (measure words, numerals), in Chinese and English.

Merged into `config.i18n.MESSAGES`; every key starts with `val_`.
"""

from __future__ import annotations

VALUE_MESSAGES: dict[str, tuple[str, str]] = {
    # The reply goes on with "应报送：…" (what the indicator expects), so this only names what does not fit.
    "val_wrong_measure": ("“{text}”中的“{word}”不适用于此指标", "“{word}” in “{text}” does not fit this indicator"),
}
