"""Starting Telegram safely: a webhook always has a secret, the token never shows, Telegram
unreachable at start is waited for (one log line per attempt), a rejected token is one clear line."""

from __future__ import annotations

import asyncio
import logging
import os
import re
from typing import Any

import aiohttp
import pytest
from pydantic import SecretStr
from sqlmodel import select

from bot.cli_voice import CliError
from bot.telegram_app import Backoff, start_telegram, stop_telegram
from config.i18n import translate
from config.settings import Settings
from handlers.context import Services
from models.tables import Invite, Member
from tests.conftest import start_duban_run
from tests.fake_telegram import FakeTelegram
from tests.test_telegram import ALICE, _free_port, invite, say, settings_for

HOOK = "https://duban.example.org/tg/hook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class Pauses:
    """The injected sleep of `Backoff`: records each pause instead of waiting, and can run something
    at the n-th pause (start the Bot API server, stop the command)."""

    def __init__(self, at: int = 0, then: Any = None) -> None:
        self.taken: list[float] = []
        self.at, self.then = at, then

    async def __call__(self, seconds: float) -> None:
        self.taken.append(seconds)
        if len(self.taken) == self.at and self.then is not None:
            await self.then()
        await asyncio.sleep(0)


def bind_update(code: str, update_id: int = 1) -> dict[str, Any]:
    text = f"/bind {code}"
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 0,
            "text": text,
            "chat": {"id": ALICE, "type": "private"},
            "from": {"id": ALICE, "is_bot": False, "first_name": "Mallory"},
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
        },
    }


async def test_a_webhook_without_a_configured_secret_gets_a_random_one_and_refuses_strangers(
    dingtao: Services, fake: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    port = _free_port()
    settings = settings_for(fake, telegram_webhook_url=HOOK, telegram_port=port)
    assert settings.telegram_secret_token is None
    code = await invite(dingtao, "admin")
    fake.private_chat(ALICE)
    app, _ = await start_telegram(settings, dingtao)
    try:
        secret = fake.webhook_secret_token
        assert secret is not None
        assert re.fullmatch(r"[A-Za-z0-9_-]{32,256}", secret)
        url = f"http://127.0.0.1:{port}/tg/hook"
        async with aiohttp.ClientSession() as http:
            async with http.post(url, json=bind_update(code, 1)) as no_header:
                assert no_header.status == 403
            async with http.post(url, json=bind_update(code, 2), headers={SECRET_HEADER: "guess"}) as wrong:
                assert wrong.status == 403
            await asyncio.sleep(0.2)  # anything accepted would be answered by now
            assert fake.calls_of("sendMessage") == []
            async with dingtao.db.session() as session:
                assert (await session.exec(select(Member).where(Member.transport == "telegram"))).all() == []
                assert (await session.exec(select(Invite).where(Invite.code == code))).one().used_at is None
            async with http.post(url, json=bind_update(code, 3), headers={SECRET_HEADER: secret}) as right:
                assert right.status == 200
        await fake.wait_for("sendMessage")
        assert "管理员" in fake.sent_to(ALICE)[-1]["plain"]
    finally:
        await stop_telegram(app)
    said = [r.getMessage() for r in caplog.records if "DUBAN_TELEGRAM_SECRET_TOKEN" in r.getMessage()]
    assert len(said) == 1
    assert secret not in caplog.text


@pytest.mark.parametrize("secret", ["has space", "ünïcode", "x" * 257, "semi;colon"])
async def test_a_malformed_webhook_secret_is_refused_before_telegram_is_contacted(
    dingtao: Services, fake: FakeTelegram, secret: str
) -> None:
    settings = settings_for(fake, telegram_webhook_url=HOOK, telegram_port=_free_port(), telegram_secret_token=secret)
    with pytest.raises(CliError) as refused:
        await start_telegram(settings, dingtao)
    assert refused.value.key == "cli_telegram_secret_invalid"
    assert refused.value.status == 1
    assert fake.calls == []
    assert secret not in translate("zh", refused.value.key, **refused.value.params)


async def test_a_rejected_token_is_one_clear_error_without_the_token(
    dingtao: Services, fake: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = f"{fake.bot_id}:" + "W" * 35
    pauses = Pauses()
    settings = settings_for(fake).model_copy(update={"telegram_token": SecretStr(wrong)})
    with pytest.raises(CliError) as refused:
        await start_telegram(settings, dingtao, backoff=Backoff(sleep=pauses))
    assert refused.value.key == "cli_telegram_token_rejected"
    assert refused.value.status == 1
    assert pauses.taken == []  # not retried
    assert [c.method for c in fake.calls] == ["getMe"]
    assert wrong not in caplog.text
    assert wrong not in str(refused.value)
    assert refused.value.__suppress_context__


async def test_every_log_record_is_cleaned_of_the_token_while_telegram_runs(
    dingtao: Services, fake: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    plain = logging.getLogRecordFactory()
    other = logging.getLogger("some.library")
    app, _ = await start_telegram(settings_for(fake), dingtao)
    try:
        other.warning(f"GET https://api.telegram.org/bot{fake.token}/getMe")
        other.warning("calling %s with %r", "getMe", {"url": f"/bot{fake.token}/getMe"})
        try:
            raise RuntimeError(f"The token `{fake.token}` was rejected by the server.")
        except RuntimeError:
            other.exception("start failed")
        other.warning("quoted: %s", fake.token.replace(":", "%3A"))
    finally:
        await stop_telegram(app)
    records = [r for r in caplog.records if r.name == "some.library"]
    assert len(records) == 4
    assert fake.token not in caplog.text
    assert fake.token.replace(":", "%3A") not in caplog.text
    assert "[secret]" in records[0].getMessage()
    assert "Traceback" in caplog.text  # the exception is still shown, only masked
    assert "was rejected by the server" in caplog.text
    assert logging.getLogRecordFactory() is plain  # stopping ends the masking


async def test_telegram_unreachable_at_start_is_waited_for_with_growing_pauses(
    dingtao: Services, caplog: pytest.LogCaptureFixture
) -> None:
    port = _free_port()
    server = FakeTelegram(port=port)
    pauses = Pauses(at=4, then=server.__aenter__)  # Telegram comes back during the fourth pause
    settings = settings_at(server, port)
    try:
        app, _ = await start_telegram(settings, dingtao, backoff=Backoff(first=1, cap=4, sleep=pauses))
        try:
            alice, chat = server.user(ALICE, "Alice"), server.private_chat(ALICE)
            assert "/bind" in (await say(server, alice, chat, "/help"))["plain"]
        finally:
            await stop_telegram(app)
    finally:
        await server.__aexit__(None, None, None)
    assert pauses.taken == [1, 2, 4, 4]
    attempts = [r for r in caplog.records if r.name == "bot.telegram_app" and "cannot be reached" in r.getMessage()]
    assert len(attempts) == 4
    assert all(r.levelno == logging.WARNING and r.exc_info is None for r in attempts)
    assert "attempt 4" in attempts[-1].getMessage()
    assert "Traceback" not in caplog.text


def settings_at(server: FakeTelegram, port: int) -> Settings:
    """Settings for a Bot API server that is not listening yet (its port is chosen in advance)."""
    server.port = port
    return settings_for(server)


async def test_server_errors_at_start_are_retried_until_telegram_answers(
    dingtao: Services, fake: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    fake.fail_next("getMe", status=502, retry_after=None, times=2)
    fake.fail_next("deleteWebhook", status=500, retry_after=None)
    pauses = Pauses()
    app, _ = await start_telegram(settings_for(fake), dingtao, backoff=Backoff(sleep=pauses))
    try:
        alice, chat = fake.user(ALICE, "Alice"), fake.private_chat(ALICE)
        assert "/bind" in (await say(fake, alice, chat, "/help"))["plain"]
    finally:
        await stop_telegram(app)
    assert pauses.taken == [1, 2, 4]
    assert [c.status for c in fake.calls_of("getMe")][:3] == [502, 502, 200]
    assert "Traceback" not in caplog.text


async def test_stopping_while_telegram_is_unreachable_ends_at_once_and_cleanly(
    dingtao: Services, caplog: pytest.LogCaptureFixture
) -> None:
    plain = logging.getLogRecordFactory()
    server = FakeTelegram()  # never started: nothing listens on its port
    settings = settings_at(server, _free_port())
    task: asyncio.Task[Any] | None = None

    async def stop() -> None:
        assert task is not None
        task.cancel()

    pauses = Pauses(at=3, then=stop)
    task = asyncio.create_task(start_telegram(settings, dingtao, backoff=Backoff(sleep=pauses)))
    with pytest.raises(asyncio.CancelledError):
        await task
    assert pauses.taken == [1, 2, 4]
    assert logging.getLogRecordFactory() is plain
    assert "Traceback" not in caplog.text


def test_pauses_double_up_to_the_cap() -> None:
    delays = Backoff().delays()
    assert [next(delays) for _ in range(9)] == [1, 2, 4, 8, 16, 32, 60, 60, 60]


async def duban_run(env: dict[str, str]) -> tuple[int, str, str]:
    process = await start_duban_run(env)
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def run_env(fake: FakeTelegram, tmp_path: Any, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path}/run.db",
        "DUBAN_LANG": "zh",
        "DUBAN_TELEGRAM_TOKEN": fake.token,
        "DUBAN_TELEGRAM_BASE_URL": f"http://127.0.0.1:{fake.port}",
        "PTB_TIMEDELTA": "1",
        **extra,
    }


async def test_duban_run_with_a_rejected_token_says_so_in_one_line(tmp_path: Any, fake: FakeTelegram) -> None:
    wrong = f"{fake.bot_id}:" + "W" * 35
    code, out, err = await duban_run(run_env(fake, tmp_path, DUBAN_TELEGRAM_TOKEN=wrong))
    assert code == 1
    assert err == translate("zh", "cli_telegram_token_rejected") + "\n"
    assert wrong not in out + err
    assert "Traceback" not in out + err


async def test_duban_run_with_a_malformed_webhook_secret_says_so_in_one_line(tmp_path: Any, fake: FakeTelegram) -> None:
    env = run_env(
        fake,
        tmp_path,
        DUBAN_TELEGRAM_WEBHOOK_URL=HOOK,
        DUBAN_TELEGRAM_PORT=str(_free_port()),
        DUBAN_TELEGRAM_SECRET_TOKEN="not allowed!",
    )
    code, out, err = await duban_run(env)
    assert code == 1
    assert err == translate("zh", "cli_telegram_secret_invalid", length=12) + "\n"
    assert "not allowed!" not in err
    assert fake.calls == []
