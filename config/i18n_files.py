"""What the chat transports say about files they carry (a download that failed, a file the console
saved), in Simplified Chinese (the default) and English.

Merged into `config.i18n.MESSAGES`; every key starts with `attach_`.
"""

from __future__ import annotations

FILE_MESSAGES: dict[str, tuple[str, str]] = {
    "attach_download_failed": (
        "抱歉，文件“{name}”没能从聊天服务取回，没有登记。请稍后重新发送。",
        "Sorry, the file “{name}” could not be fetched from the chat service and was not recorded. "
        "Please send it again later.",
    ),
    "attach_saved": ("[文件] {name}（{size}）已保存：{path}", "[file] {name} ({size}) saved: {path}"),
}
