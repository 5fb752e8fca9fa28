"""WeCom callback crypto: WeCom's published vectors, round trips through the tests' own encryption,
every rejection, and hypothesis fuzzing that nothing but `CallbackRejected` ever escapes.

`Sender` below is written here from WeCom's published algorithm (not with the module's encrypt),
so a mistake shared by both directions of `bot.wecom_crypto` cannot pass unnoticed.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
import xml.etree.ElementTree as ET
from collections.abc import Callable

import pytest
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.wecom_crypto import MAX_XML_BYTES, CallbackRejected, WeComCrypto, check_fresh, parse_callback

# WeCom's published callback sample (docs/stack-notes.md).
TOKEN = "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo"
AES_KEY = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt"
CORP_ID = "ww1436e0e65a779aee"
SAMPLE_XML = (
    "<xml><ToUserName>ww1436e0e65a779aee</ToUserName><FromUserName>ChenJiaShun</FromUserName>"
    "<CreateTime>1476422779</CreateTime><MsgType>text</MsgType><Content>你好</Content>"
    "<MsgId>1456453720</MsgId><AgentID>1000002</AgentID></xml>"
)
SAMPLE_ENCRYPT = (
    "Kl7kjoSf6DMD1zh7rtrHjFaDapSCkaOnwu3bqLc5tAybhhMl9pFeK8NslNPVdMwmBQTNoW4mY7AIjeLvEl3NyeTkAgGzBhzTtRLNshw2AEew+kk"
    "YcD+Fq72Kt00fT0WnN87hGrW8SqGc+NcT3mu87Ha3dz1pSDi6GaUA6A0sqfde0VJPQbZ9U+3JWcoD4Z5jaU0y9GSh010wsHF8KZD24YhmZH4ch"
    "4Ka7ilEbjbfvhKkNL65HHL0J6EYJIZUC2pFrdkJ7MhmEbU2qARR4iQHE7wy24qy0cRX3Mfp6iELcDNfSsPGjUQVDGxQDCWjayJOpcwocugux082"
    "f49HKYg84EpHSGXAyh+/oxwaWbvL6aSDPOYuPDGOCI8jmnKiypE+"
)
NOW = 1_700_000_000
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


class Sender:
    """WeCom's side of the protocol, from its published description, on `cryptography` directly."""

    def __init__(self, token: str = TOKEN, aes_key: str = AES_KEY, corp_id: str = CORP_ID) -> None:
        self.token = token
        self.key = base64.b64decode(aes_key + "=")
        self.corp_id = corp_id.encode()

    def sign(self, timestamp: str, nonce: str, encrypted: str) -> str:
        return hashlib.sha1("".join(sorted([self.token, timestamp, nonce, encrypted])).encode()).hexdigest()

    def plaintext(self, message: str, corp_id: bytes | None = None) -> bytes:
        body = message.encode()
        return os.urandom(16) + len(body).to_bytes(4, "big") + body + (self.corp_id if corp_id is None else corp_id)

    def encrypt_raw(self, padded: bytes) -> str:
        encryptor = Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16])).encryptor()
        return base64.b64encode(encryptor.update(padded) + encryptor.finalize()).decode()

    def encrypt(self, message: str, corp_id: bytes | None = None) -> str:
        padder = padding.PKCS7(256).padder()  # 256 bits: WeCom's 32-byte blocks
        return self.encrypt_raw(padder.update(self.plaintext(message, corp_id)) + padder.finalize())

    def decrypt(self, encrypted: str) -> str:
        decryptor = Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16])).decryptor()
        padded = decryptor.update(base64.b64decode(encrypted)) + decryptor.finalize()
        unpadder = padding.PKCS7(256).unpadder()
        plain = unpadder.update(padded) + unpadder.finalize()
        length = int.from_bytes(plain[16:20], "big")
        assert plain[20 + length :] == self.corp_id
        return plain[20 : 20 + length].decode()

    def envelope(self, encrypted: str) -> str:
        return (
            f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt>"
            "<AgentID><![CDATA[1000002]]></AgentID></xml>"
        )

    def post(self, encrypted: str, timestamp: str = str(NOW), nonce: str = "1597212914") -> tuple[bytes, str, str, str]:
        """The body and the query parameters (msg_signature, timestamp, nonce) of one callback POST."""
        return self.envelope(encrypted).encode(), self.sign(timestamp, nonce, encrypted), timestamp, nonce


@pytest.fixture
def crypto() -> WeComCrypto:
    return WeComCrypto(TOKEN, AES_KEY, CORP_ID)


def deliver(crypto: WeComCrypto, inner_xml: str) -> str:
    body, signature, timestamp, nonce = Sender().post(Sender().encrypt(inner_xml))
    return crypto.decrypt_message(body, signature, timestamp, nonce)


def rejected(reason: str) -> pytest.RaisesExc[CallbackRejected]:
    return pytest.raises(CallbackRejected, match=f"^{reason}$")


# --- WeCom's published vectors --------------------------------------------------------------------


def test_url_verification_vector(crypto: WeComCrypto) -> None:
    echostr = "fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA=="
    answer = crypto.verify_url("012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb", "1476416373", "47744683", echostr)
    assert answer == "1288432023552776189"


def test_message_vector_decrypts_and_parses(crypto: WeComCrypto) -> None:
    body = Sender().envelope(SAMPLE_ENCRYPT)
    inner = crypto.decrypt_message(body, "0c3914025cb4b4d68103f6bfc8db550f79dcf48e", "1476422779", "1597212914")
    assert inner == SAMPLE_XML
    incoming = parse_callback(inner)
    assert (incoming.msg_type, incoming.from_user, incoming.to_user) == ("text", "ChenJiaShun", CORP_ID)
    assert (incoming.content, incoming.msg_id, incoming.agent_id) == ("你好", "1456453720", 1000002)
    assert incoming.create_time == 1476422779
    assert incoming.dedup_key == "msg:1456453720"
    assert incoming.event is None


def test_message_vector_as_bytes_with_declaration(crypto: WeComCrypto) -> None:
    body = b'<?xml version="1.0" encoding="utf-8"?>' + Sender().envelope(SAMPLE_ENCRYPT).encode()
    inner = crypto.decrypt_message(body, "0c3914025cb4b4d68103f6bfc8db550f79dcf48e", "1476422779", "1597212914")
    assert inner == SAMPLE_XML


# --- round trips through the tests' own encryption ------------------------------------------------


def test_text_report_round_trip(crypto: WeComCrypto) -> None:
    xml = (
        f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><FromUserName><![CDATA[LiLei]]></FromUserName>"
        "<CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        "<Content><![CDATA[/report 1 95]]></Content><MsgId>7311111111111111111</MsgId><AgentID>1000002</AgentID></xml>"
    )
    assert deliver(crypto, xml) == xml
    incoming = parse_callback(deliver(crypto, xml))
    assert (incoming.msg_type, incoming.from_user, incoming.content) == ("text", "LiLei", "/report 1 95")
    assert incoming.msg_id == "7311111111111111111"
    assert incoming.dedup_key == "msg:7311111111111111111"
    assert incoming.create_time == NOW
    assert incoming.agent_id == 1000002


def test_image_round_trip(crypto: WeComCrypto) -> None:
    xml = (
        f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><FromUserName><![CDATA[LiLei]]></FromUserName>"
        "<CreateTime>1700000001</CreateTime><MsgType><![CDATA[image]]></MsgType>"
        "<PicUrl><![CDATA[https://wework.qpic.cn/x]]></PicUrl><MediaId><![CDATA[3Qx-media_id]]></MediaId>"
        "<MsgId>7311111111111111112</MsgId><AgentID>1000002</AgentID></xml>"
    )
    incoming = parse_callback(deliver(crypto, xml))
    assert (incoming.msg_type, incoming.media_id, incoming.content) == ("image", "3Qx-media_id", None)
    assert incoming.dedup_key == "msg:7311111111111111112"


def test_file_message_keeps_name(crypto: WeComCrypto) -> None:
    xml = (
        f"<xml><ToUserName>{CORP_ID}</ToUserName><FromUserName>LiLei</FromUserName>"
        "<CreateTime>1700000002</CreateTime><MsgType>file</MsgType><MediaId>m-file</MediaId>"
        "<FileName><![CDATA[第三季度台账.xlsx]]></FileName><MsgId>42</MsgId><AgentID>1000002</AgentID></xml>"
    )
    incoming = parse_callback(deliver(crypto, xml))
    assert (incoming.msg_type, incoming.media_id, incoming.file_name) == ("file", "m-file", "第三季度台账.xlsx")


def template_card_event(event_key: str = "done", create_time: int = NOW) -> str:
    return (
        f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><FromUserName><![CDATA[LiLei]]></FromUserName>"
        f"<CreateTime>{create_time}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
        "<Event><![CDATA[template_card_event]]></Event><EventKey><![CDATA["
        f"{event_key}]]></EventKey><TaskId><![CDATA[task-17-3]]></TaskId>"
        "<CardType><![CDATA[button_interaction]]></CardType><ResponseCode><![CDATA[rc-abc123]]></ResponseCode>"
        "<AgentID>1000002</AgentID></xml>"
    )


def test_template_card_event_round_trip(crypto: WeComCrypto) -> None:
    incoming = parse_callback(deliver(crypto, template_card_event()))
    assert (incoming.msg_type, incoming.event) == ("event", "template_card_event")
    assert (incoming.event_key, incoming.task_id, incoming.response_code) == ("done", "task-17-3", "rc-abc123")
    assert incoming.msg_id is None
    assert incoming.dedup_key.startswith("event:")


def test_event_dedup_key_is_stable_and_distinct() -> None:
    """WeCom's retries of one press share a key; another button or a later press does not."""
    first = parse_callback(template_card_event()).dedup_key
    assert parse_callback(template_card_event()).dedup_key == first
    assert parse_callback(template_card_event(event_key="help")).dedup_key != first
    assert parse_callback(template_card_event(create_time=NOW + 1)).dedup_key != first
    assert parse_callback(template_card_event(event_key="x" * 500)).dedup_key != first
    assert len(parse_callback(template_card_event(event_key="x" * 500)).dedup_key) <= 80  # bounded for the table
    assert parse_callback(template_card_event().replace("LiLei", "HanMeimei")).dedup_key != first
    assert parse_callback(template_card_event().replace("task-17-3", "task-17-4")).dedup_key != first


def test_event_identities_do_not_run_together() -> None:
    def key(event_key: str, task_id: str) -> str:
        xml = (
            "<xml><FromUserName>u</FromUserName><CreateTime>5</CreateTime><MsgType>event</MsgType>"
            f"<Event>click</Event><EventKey>{event_key}</EventKey><TaskId>{task_id}</TaskId></xml>"
        )
        return parse_callback(xml).dedup_key

    assert key("a:b", "c") != key("a", "b:c")
    assert key("a,b", "c") != key("a", "b,c")


def test_enter_agent_round_trip(crypto: WeComCrypto) -> None:
    xml = (
        f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><FromUserName><![CDATA[HanMeimei]]></FromUserName>"
        "<CreateTime>1700000003</CreateTime><MsgType><![CDATA[event]]></MsgType>"
        "<Event><![CDATA[enter_agent]]></Event><EventKey><![CDATA[]]></EventKey><AgentID>1000002</AgentID></xml>"
    )
    incoming = parse_callback(deliver(crypto, xml))
    assert (incoming.msg_type, incoming.event, incoming.from_user) == ("event", "enter_agent", "HanMeimei")
    assert (incoming.msg_id, incoming.event_key, incoming.task_id) == (None, None, None)
    assert incoming.dedup_key.startswith("event:")
    assert incoming.dedup_key == parse_callback(xml).dedup_key


def test_unknown_message_type_parses() -> None:
    xml = (
        "<xml><ToUserName>c</ToUserName><FromUserName>u</FromUserName><CreateTime>5</CreateTime>"
        "<MsgType>hologram</MsgType><Fancy>x</Fancy></xml>"
    )
    incoming = parse_callback(xml)
    assert (incoming.msg_type, incoming.from_user, incoming.agent_id) == ("hologram", "u", None)
    assert incoming.dedup_key.startswith("event:")  # no MsgId: identified like an event


def test_encrypt_message_decrypts_with_the_tests_decryptor(crypto: WeComCrypto) -> None:
    reply = "<xml><ToUserName>LiLei</ToUserName><MsgType>text</MsgType><Content>已记录：95%</Content></xml>"
    envelope = crypto.encrypt_message(reply, str(NOW), "abc123")
    sender = Sender()
    root = ET.fromstring(envelope)
    encrypted = root.findtext("Encrypt")
    assert encrypted is not None
    assert root.findtext("TimeStamp") == str(NOW)
    assert root.findtext("Nonce") == "abc123"
    assert root.findtext("MsgSignature") == sender.sign(str(NOW), "abc123", encrypted)
    assert sender.decrypt(encrypted) == reply
    assert crypto.decrypt_message(envelope, sender.sign(str(NOW), "abc123", encrypted), str(NOW), "abc123") == reply
    # Sixteen fresh random bytes each time: the same reply never encrypts the same way twice.
    assert crypto.encrypt_message(reply, str(NOW), "abc123") != envelope


# --- rejections -----------------------------------------------------------------------------------


def test_forged_signature(crypto: WeComCrypto) -> None:
    body, signature, timestamp, nonce = Sender().post(Sender().encrypt(SAMPLE_XML))
    with rejected("bad signature"):
        crypto.decrypt_message(body, "0" * 40, timestamp, nonce)
    with rejected("bad signature"):  # signed by someone with another token
        crypto.decrypt_message(
            body, Sender(token="other").sign(timestamp, nonce, Sender().encrypt("x")), timestamp, nonce
        )
    with rejected("bad signature"):  # a valid signature replayed with another nonce
        crypto.decrypt_message(body, signature, timestamp, "1")
    with rejected("bad signature"):
        crypto.verify_url(signature, timestamp, nonce, Sender().encrypt("1"))


def test_tampered_ciphertext(crypto: WeComCrypto) -> None:
    sender = Sender()
    encrypted = sender.encrypt(SAMPLE_XML)
    raw = bytearray(base64.b64decode(encrypted))
    raw[-1] ^= 0x01
    tampered = base64.b64encode(bytes(raw)).decode()
    body, signature, timestamp, nonce = sender.post(encrypted)
    with rejected("bad signature"):
        crypto.decrypt_message(sender.envelope(tampered), signature, timestamp, nonce)
    # Even re-signed (an attacker holding the token but not the key), the garbled plaintext is refused.
    body, signature, timestamp, nonce = sender.post(tampered)
    with pytest.raises(CallbackRejected):
        crypto.decrypt_message(body, signature, timestamp, nonce)


def test_wrong_corp_id(crypto: WeComCrypto) -> None:
    sender = Sender()
    body, signature, timestamp, nonce = sender.post(sender.encrypt(SAMPLE_XML, corp_id=b"ww0000000000000000"))
    with rejected("wrong corp id"):
        crypto.decrypt_message(body, signature, timestamp, nonce)
    other = WeComCrypto(TOKEN, AES_KEY, "wwsomeoneelse")
    body, signature, timestamp, nonce = sender.post(sender.encrypt(SAMPLE_XML))
    with rejected("wrong corp id"):
        other.decrypt_message(body, signature, timestamp, nonce)


@pytest.mark.parametrize(
    "tail",
    [
        bytes([0]) * 32,  # padding value 0
        bytes([33]) * 32,  # more than a 32-byte block
        bytes([7]) * 25 + bytes([8]) + bytes([7]) * 6,  # a padding byte that disagrees with the value
    ],
    ids=["zero", "over-32", "inconsistent"],
)
def test_bad_padding(crypto: WeComCrypto, tail: bytes) -> None:
    sender = Sender()
    plain = sender.plaintext("<xml/>")
    plain += b"p" * (-len(plain) % 32)  # fill to a block, then one block of bad padding
    body, signature, timestamp, nonce = sender.post(sender.encrypt_raw(plain + tail))
    with rejected("bad padding"):
        crypto.decrypt_message(body, signature, timestamp, nonce)


def test_bad_length(crypto: WeComCrypto) -> None:
    sender = Sender()
    plain = os.urandom(16) + (10_000).to_bytes(4, "big") + b"<xml/>" + CORP_ID.encode()
    padder = padding.PKCS7(256).padder()
    body, signature, timestamp, nonce = sender.post(sender.encrypt_raw(padder.update(plain) + padder.finalize()))
    with rejected("bad length"):
        crypto.decrypt_message(body, signature, timestamp, nonce)
    # A ciphertext of 16 bytes is a valid AES length but not WeCom's 32-byte blocks.
    short = base64.b64encode(os.urandom(16)).decode()
    with rejected("bad length"):
        crypto.verify_url(sender.sign(timestamp, nonce, short), timestamp, nonce, short)


@pytest.mark.parametrize("encrypted", ["not base64!", "abc", "QUJD\nREVG", "全角字符", "=" * 8])
def test_non_base64(crypto: WeComCrypto, encrypted: str) -> None:
    sender = Sender()
    body, signature, timestamp, nonce = sender.post(encrypted)
    with rejected("bad base64"):
        crypto.decrypt_message(body, signature, timestamp, nonce)
    with rejected("bad base64"):
        crypto.verify_url(signature, timestamp, nonce, encrypted)


def test_stale_and_future_timestamps() -> None:
    assert check_fresh(str(NOW), NOW) == NOW
    assert check_fresh(str(NOW - 300), NOW) == NOW - 300
    assert check_fresh(NOW + 300, NOW) == NOW + 300
    with rejected("stale timestamp"):
        check_fresh(str(NOW - 301), NOW)
    with rejected("stale timestamp"):
        check_fresh("1476422779", NOW)  # WeCom's sample, years old: a replay
    with rejected("timestamp in the future"):
        check_fresh(str(NOW + 301), NOW)
    with rejected("stale timestamp"):
        WeComCrypto.check_fresh(str(NOW - 61), NOW, max_age=60)


def test_freshness_with_an_aware_clock() -> None:
    now = dt.datetime(2023, 11, 15, 6, 13, 20, tzinfo=SHANGHAI)
    assert check_fresh(str(int(now.timestamp())), now) == int(now.timestamp())
    with rejected("stale timestamp"):
        check_fresh(str(int(now.timestamp()) - 600), now)
    with pytest.raises(ValueError, match="aware"):
        check_fresh(str(NOW), now.replace(tzinfo=None))


@pytest.mark.parametrize("timestamp", ["", "abc", "1_700_000_000", " 1700000000", "-5", "١٧٠٠", "1" * 40, True, None])
def test_malformed_timestamps(timestamp: object) -> None:
    with rejected("bad timestamp"):
        check_fresh(timestamp, NOW)  # type: ignore[arg-type]


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    "<xml><Encrypt>&lol3;</Encrypt></xml>"
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><Encrypt>&e;</Encrypt></xml>'
)


@pytest.mark.parametrize("document", [BILLION_LAUGHS, EXTERNAL_ENTITY, "<!DOCTYPE xml><xml><Encrypt>x</Encrypt></xml>"])
def test_doctype_and_entities_are_refused(crypto: WeComCrypto, document: str) -> None:
    with rejected("DOCTYPE or entity in XML"):
        crypto.decrypt_message(document, "0" * 40, str(NOW), "1")
    with rejected("DOCTYPE or entity in XML"):
        crypto.decrypt_message(document.encode(), "0" * 40, str(NOW), "1")
    # Inside the encryption too: WeCom's key does not make a DTD welcome.
    with rejected("DOCTYPE or entity in XML"):
        parse_callback(deliver(crypto, document))


def test_doctype_text_inside_cdata_is_only_text() -> None:
    xml = (
        "<xml><ToUserName>c</ToUserName><FromUserName>u</FromUserName><CreateTime>5</CreateTime>"
        "<MsgType>text</MsgType><Content><![CDATA[<!DOCTYPE x [<!ENTITY a 'b'>]>]]></Content><MsgId>9</MsgId></xml>"
    )
    assert parse_callback(xml).content == "<!DOCTYPE x [<!ENTITY a 'b'>]>"


def test_oversize_documents(crypto: WeComCrypto) -> None:
    sender = Sender()
    big = "<xml><Encrypt>" + "A" * MAX_XML_BYTES + "</Encrypt></xml>"
    with rejected("XML too large"):
        crypto.decrypt_message(big, sender.sign(str(NOW), "1", "A" * MAX_XML_BYTES), str(NOW), "1")
    with rejected("XML too large"):
        crypto.decrypt_message(big.encode(), "0" * 40, str(NOW), "1")
    inner = "<xml><MsgType>text</MsgType><Content>" + "长" * (MAX_XML_BYTES // 3) + "</Content></xml>"
    with rejected("XML too large"):
        parse_callback(deliver(crypto, inner))


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        ("", "malformed XML"),
        ("<xml><Encrypt>abc</xml>", "malformed XML"),
        ("<xml></xml>", "missing field"),
        ("<xml><Encrypt></Encrypt></xml>", "missing field"),
        ('<?xml version="1.0" encoding="gbk"?><xml><Encrypt>abc</Encrypt></xml>', "malformed XML"),
        ('<?xml version="1.0" encoding="no-such"?><xml><Encrypt>abc</Encrypt></xml>', "malformed XML"),
    ],
)
def test_malformed_envelopes(crypto: WeComCrypto, document: str, reason: str) -> None:
    with rejected(reason):
        crypto.decrypt_message(document.encode(), "0" * 40, str(NOW), "1")


@pytest.mark.parametrize(
    "xml",
    [
        "<xml><FromUserName>u</FromUserName><CreateTime>5</CreateTime></xml>",  # no MsgType
        "<xml><MsgType>text</MsgType><CreateTime>5</CreateTime></xml>",  # no sender
        "<xml><MsgType>text</MsgType><FromUserName>u</FromUserName></xml>",  # no time
        "<xml><MsgType>text</MsgType><FromUserName>u</FromUserName><CreateTime>yesterday</CreateTime></xml>",
        "<xml><MsgType>text</MsgType><FromUserName>u</FromUserName><CreateTime>5</CreateTime><AgentID>x</AgentID></xml>",
        "not xml at all",
    ],
)
def test_malformed_messages(xml: str) -> None:
    with pytest.raises(CallbackRejected):
        parse_callback(xml)


def test_bad_encoding(crypto: WeComCrypto) -> None:
    sender = Sender()
    plain = os.urandom(16) + (4).to_bytes(4, "big") + b"\xff\xfe<x" + CORP_ID.encode()
    padder = padding.PKCS7(256).padder()
    body, signature, timestamp, nonce = sender.post(sender.encrypt_raw(padder.update(plain) + padder.finalize()))
    with rejected("bad encoding"):
        crypto.decrypt_message(body, signature, timestamp, nonce)


def test_unencodable_parameters(crypto: WeComCrypto) -> None:
    """A lone surrogate (from a percent-decoded query string) is refused, not a UnicodeEncodeError."""
    body, signature, timestamp, nonce = Sender().post(Sender().encrypt(SAMPLE_XML))
    with rejected("bad nonce"):
        crypto.decrypt_message(body, signature, timestamp, "\ud800")
    with rejected("bad signature"):
        crypto.decrypt_message(body, "\ud800" * 40, timestamp, nonce)
    with rejected("malformed XML"):
        crypto.decrypt_message("<xml><Encrypt>\ud800</Encrypt></xml>", signature, timestamp, nonce)
    with rejected("bad timestamp"):
        crypto.encrypt_message("<xml/>", "\ud800", "abc")
    with rejected("bad nonce"):
        crypto.encrypt_message("<xml/>", str(NOW), "a]]>b")
    with rejected("malformed XML"):
        crypto.encrypt_message("<xml>\ud800</xml>", str(NOW), "abc")


def test_secrets_never_show(crypto: WeComCrypto) -> None:
    assert TOKEN not in repr(crypto)
    assert AES_KEY not in repr(crypto)
    with pytest.raises(ValueError, match="EncodingAESKey") as error:
        WeComCrypto(TOKEN, AES_KEY[:-1] + "!", CORP_ID)
    assert AES_KEY[:-1] not in str(error.value)
    with pytest.raises(ValueError, match="43 characters"):
        WeComCrypto(TOKEN, AES_KEY + "AAAA", CORP_ID)


# --- fuzzing: only CallbackRejected ever escapes --------------------------------------------------

FUZZ = settings(max_examples=150, deadline=None)


def wild_text(max_size: int) -> st.SearchStrategy[str]:
    """Any text, often with a lone surrogate (which cannot be encoded: query strings can carry one)."""
    half = st.text(max_size=max_size // 2)
    return st.tuples(half, st.sampled_from(["", "\ud800", "\udfff"]), half).map("".join)


text_or_bytes = st.one_of(wild_text(300), st.binary(max_size=300))


REASONS = {
    "bad signature", "bad base64", "bad length", "bad padding", "wrong corp id", "bad encoding", "bad timestamp",
    "bad nonce", "bad ciphertext", "stale timestamp", "timestamp in the future", "malformed XML", "XML too large",
    "DOCTYPE or entity in XML", "missing field", "bad number",
}  # fmt: skip
"""Every reason is fixed text: nothing of the request or of the secrets is ever echoed."""


def only_rejections(call: Callable[[], object]) -> None:
    try:
        call()
    except CallbackRejected as error:
        reason = error.reason
    else:
        return
    assert reason in REASONS


@FUZZ
@given(body=text_or_bytes, signature=wild_text(50), timestamp=wild_text(15), nonce=wild_text(15))
def test_fuzz_decrypt_message(body: str | bytes, signature: str, timestamp: str, nonce: str) -> None:
    crypto = WeComCrypto(TOKEN, AES_KEY, CORP_ID)
    only_rejections(lambda: crypto.decrypt_message(body, signature, timestamp, nonce))


@FUZZ
@given(
    payload=st.one_of(st.binary(min_size=1, max_size=200), wild_text(200)),
    wrap=st.sampled_from(["<xml><Encrypt>{}</Encrypt></xml>", "<xml><Encrypt><![CDATA[{}]]></Encrypt></xml>"]),
    nonce=st.text(max_size=15),
)
def test_fuzz_correctly_signed_envelopes(payload: bytes | str, wrap: str, nonce: str) -> None:
    """Signed with the right token, so the fuzz reaches base64, AES, padding, length and corp id."""
    crypto = WeComCrypto(TOKEN, AES_KEY, CORP_ID)
    encrypted = base64.b64encode(payload).decode() if isinstance(payload, bytes) else payload
    signature = hashlib.sha1(
        "".join(sorted([TOKEN, str(NOW), nonce, encrypted])).encode("utf-8", "surrogatepass")
    ).hexdigest()
    only_rejections(lambda: crypto.decrypt_message(wrap.format(encrypted), signature, str(NOW), nonce))
    only_rejections(lambda: crypto.verify_url(signature, str(NOW), nonce, encrypted))


@FUZZ
@given(padded=st.binary(min_size=1, max_size=6).map(lambda b: b * 32))
def test_fuzz_decrypted_garbage(padded: bytes) -> None:
    """Any block-aligned plaintext at all, correctly encrypted and signed: a string or a rejection."""
    crypto = WeComCrypto(TOKEN, AES_KEY, CORP_ID)
    sender = Sender()
    body, signature, timestamp, nonce = sender.post(sender.encrypt_raw(padded))
    only_rejections(lambda: crypto.decrypt_message(body, signature, timestamp, nonce))


@FUZZ
@given(
    xml=st.one_of(
        st.text(max_size=400), st.from_regex(r"<xml>(<[A-Za-z]{1,12}>[^<&]{0,20}</[A-Za-z]{1,12}>){0,8}</xml>")
    )
)
def test_fuzz_parse_callback(xml: str) -> None:
    only_rejections(lambda: parse_callback(xml))


@FUZZ
@given(timestamp=st.one_of(wild_text(20), st.integers()), now=st.floats(allow_nan=False, allow_infinity=False))
def test_fuzz_check_fresh(timestamp: str | int, now: float) -> None:
    only_rejections(lambda: check_fresh(timestamp, now))
