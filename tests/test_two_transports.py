"""Telegram and WeCom in one `duban run`: each person on their own service, one outbox for both."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import time
from collections.abc import Callable
from pathlib import Path

import aiohttp

from tests.conftest import duban, start_duban_run
from tests.fake_telegram import FakeTelegram
from tests.fake_wecom import FakeWeCom
from tests.test_telegram import ALICE, CAROL, say
from tests.test_wecom_crypto import AES_KEY, CORP_ID, TOKEN, Sender

LEADER = "LiLeader"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _text(user: str, content: str, msg_id: int, now: int) -> str:
    return (
        f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><FromUserName><![CDATA[{user}]]></FromUserName>"
        f"<CreateTime>{now}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{content}]]></Content>"
        f"<MsgId>{msg_id}</MsgId><AgentID>1000002</AgentID></xml>"
    )


async def _until(check: Callable[[], bool], patience: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + patience
    while not check():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_one_run_serves_telegram_and_wecom_and_a_notice_reaches_both(tmp_path: Path, fake: FakeTelegram) -> None:
    port = _free_port()
    async with FakeWeCom(corp_id=CORP_ID, visible={LEADER}) as wecom:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp_path}/run.db",
            "PTB_TIMEDELTA": "1",
            "DUBAN_TELEGRAM_TOKEN": fake.token,
            "DUBAN_TELEGRAM_BASE_URL": f"http://127.0.0.1:{fake.port}",
            "DUBAN_TELEGRAM_POLL_TIMEOUT": "1",
            "DUBAN_WECOM_CORP_ID": CORP_ID,
            "DUBAN_WECOM_AGENT_ID": str(wecom.agent_id),
            "DUBAN_WECOM_SECRET": wecom.secret,
            "DUBAN_WECOM_TOKEN": TOKEN,
            "DUBAN_WECOM_AES_KEY": AES_KEY,
            "DUBAN_WEB_LISTEN": f"127.0.0.1:{port}",
            "DUBAN_WECOM_API_BASE": wecom.base_url,
        }

        await duban(env, "plan", "load", "dingtao-2022")
        admin_code = await duban(env, "invite", "--plan", "dingtao-2022", "admin")
        leader_code = await duban(env, "invite", "--plan", "dingtao-2022", "leader")
        liaison_code = await duban(env, "invite", "--plan", "dingtao-2022", "区民政局")
        process = await start_duban_run(env)
        try:
            await fake.wait_for("getUpdates", answered=False, timeout=30)
            alice, carol = fake.user(ALICE, "Alice"), fake.user(CAROL, "Carol")
            assert "管理员" in (await say(fake, alice, fake.private_chat(ALICE), f"/bind {admin_code}"))["plain"]
            # No quiet hours: notices wait for the morning (21:00-08:00 Shanghai) and the test may run at night.
            assert "00:00" in (await say(fake, alice, fake.private_chat(ALICE), "/remind quiet 00:00-00:00"))["plain"]
            carol_chat = fake.private_chat(CAROL)
            assert "区民政局" in (await say(fake, carol, carol_chat, f"/bind {liaison_code}"))["plain"]
            wecom_side = Sender()
            async with aiohttp.ClientSession() as http:
                now = int(time.time())
                encrypted = wecom_side.encrypt(_text(LEADER, f"/bind {leader_code}", 1, now))
                body, signature, ts, nonce = wecom_side.post(encrypted, timestamp=str(now))
                url = f"http://127.0.0.1:{port}/wecom/callback"
                async with http.post(
                    url, params={"msg_signature": signature, "timestamp": ts, "nonce": nonce}, data=body
                ) as response:
                    assert response.status == 200
            await _until(lambda: any("领导" in str(m) for m in wecom.messages_to(LEADER)))
            await say(fake, carol, carol_chat, "/progress 5 受阻 缺少统一代码数据")
            # The call for help goes through the one outbox: to the admin on Telegram and the leader on WeCom.
            await _until(lambda: any("【求助】" in str(m.get("plain")) for m in fake.sent_to(ALICE)))
            await _until(lambda: any("【求助】" in str(m) for m in wecom.messages_to(LEADER)))
        finally:
            process.send_signal(signal.SIGTERM)
            _, err = await asyncio.wait_for(process.communicate(), timeout=30)
        assert process.returncode == 0, err
        assert wecom.secret.encode() not in err
