"""self_promoting_blog.promote.http: rate-limit arithmetic, redaction, and exceptions that never
carry a URL."""

from __future__ import annotations

import logging
import traceback
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from self_promoting_blog.promote.errors import AmbiguousError, TransientError
from self_promoting_blog.promote.http import (
    HttpClient,
    add_secret,
    install_log_redaction,
    parse_retry_after,
    redact,
    seconds_until_epoch,
    seconds_until_iso,
)
from tests.fakes.server import Delay, Drop, FakeServer

NOW = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)
SERVER_DATE = {"Date": format_datetime(NOW, usegmt=True)}


@pytest.mark.parametrize("value, seconds", [
    ("7", 7.0), ("2.5", 2.5), ("-3", 0.0), (format_datetime(NOW + timedelta(seconds=90),
                                                          usegmt=True), 90.0),
    ("Sat, 01 Mar 2025 11:00:00 GMT", 0.0), ("soon", None), ("", None), (None, None)])
def test_retry_after_is_seconds_or_an_http_date_on_the_servers_clock(value, seconds):
    assert parse_retry_after(value, SERVER_DATE) == seconds


def test_mastodon_iso_and_bluesky_epoch_resets():
    assert seconds_until_iso("2025-03-01T12:00:30.019685Z", SERVER_DATE) == pytest.approx(30.02,
                                                                                          abs=0.01)
    assert seconds_until_iso("not a date", SERVER_DATE) is None
    assert seconds_until_epoch(str(int(NOW.timestamp()) + 45), SERVER_DATE) == 45.0
    assert seconds_until_epoch("x", SERVER_DATE) is None


def test_redaction_of_registered_secrets_and_token_shapes():
    add_secret("s3cr3t/with+chars")
    text = ("token s3cr3t/with+chars, encoded s3cr3t%2Fwith%2Bchars and s3cr3t%2Fwith%2Bchars; "
            "POST /bot123456:AAE-xyz_ABC/sendMessage /api/webhooks/42/tok-EN.x "
            "Authorization: Bearer abc.def-ghi ?access_token=zzz&x=1 eyJa.eyJb.sig")
    assert redact(text) == ("token ***, encoded *** and ***; POST /bot***/sendMessage "
                            "/api/webhooks/42/*** Authorization: Bearer *** ?access_token=***&x=1 "
                            "***")


def test_log_records_are_redacted_even_from_urllib3(caplog):
    install_log_redaction()
    caplog.set_level(logging.DEBUG)
    logging.getLogger("urllib3.connectionpool").debug('"POST /bot1:tokenvalue/sendMessage" 200')
    logging.getLogger("promote").warning("promote: url %s", "/webhooks/1/secret-token")
    assert "tokenvalue" not in caplog.text and "secret-token" not in caplog.text


@pytest.fixture
def server():
    with FakeServer() as fake:
        yield fake


@pytest.mark.parametrize("action, error, words", [
    (Delay(1.0), AmbiguousError, "no answer within 0.3 s"),
    (Drop(), AmbiguousError, "the connection was dropped")])
def test_failures_after_sending_are_ambiguous_and_carry_no_url(server, action, error, words):
    server.script(action)
    client = HttpClient("telegram", 1.0, 0.3)
    token = "123:" + "AAsecretToken"  # kept out of the source line a traceback would quote
    with pytest.raises(error) as caught:
        client.request("POST", f"{server.base_url}/bot{token}/sendMessage")
    shown = "".join(traceback.format_exception(caught.value))
    assert words in shown and "/bot***/sendMessage" in shown
    assert "AAsecretToken" not in shown and caught.value.__cause__ is None


def test_a_refused_connection_is_transient_nothing_was_sent():
    with pytest.raises(TransientError, match="could not connect to 127.0.0.1:9/webhooks/1/"):
        HttpClient("discord", 0.5, 0.5).request("POST", "http://127.0.0.1:9/webhooks/1/secret")
