"""A local HTTP server of the tests' own (``http.server`` in a thread) standing in for the
IM providers: it records every request and answers what the test scripted per path."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode()) if self.body else None


@dataclass
class Answer:
    status: int = 200
    body: Any = field(default_factory=lambda: {"ok": True, "code": 0, "errcode": 0})
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


Script = Callable[[Seen], Answer]


class Sink:
    def __init__(self) -> None:
        self.requests: list[Seen] = []
        self.answers: dict[str, Answer | Script] = {}
        self.lock = threading.Lock()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out at once (keep-alive)

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                seen = Seen(
                    method=self.command,
                    path=parts.path,
                    query={k: v[0] for k, v in parse_qs(parts.query).items()},
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                )
                with sink.lock:
                    sink.requests.append(seen)
                    scripted = sink.answers.get(parts.path, Answer())
                answer = scripted(seen) if callable(scripted) else scripted
                if answer.delay:
                    time.sleep(answer.delay)
                data = (
                    answer.body
                    if isinstance(answer.body, bytes)
                    else json.dumps(answer.body).encode()
                )
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = _handle
            do_POST = _handle
            do_PATCH = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        # A client that gave up (the timeout tests) is not an error worth printing.
        self.server.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def answer(self, path: str, answer: Answer | Script) -> None:
        with self.lock:
            self.answers[path] = answer

    def to(self, path: str) -> list[Seen]:
        with self.lock:
            return [r for r in self.requests if r.path == path]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def serve() -> Iterator[Sink]:
    """For a test module's ``sink`` fixture: ``yield from serve()``."""
    server = Sink()
    yield server
    server.close()


def point_providers_at(sink: Sink, settings: Any, *, feishu_message_id: str = "om_first") -> Sink:
    """Every provider set up with its API base on ``sink``, answering happily: tokens, and one
    message sent on each (Feishu's with ``feishu_message_id``). Outbound calls may reach the
    loopback address; the processes' token and rate-limit copies are forgotten."""
    from channels import http
    from channels.transports import limits, tokens

    http._pools.clear()
    tokens.forget_local()  # the cache was emptied for this test; so are the processes' copies
    limits.forget_local()
    settings.CHANNELS_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.SLACK_BOT_TOKEN = "xoxb-test-token"
    settings.SLACK_API_BASE = sink.url("/slack")
    settings.FEISHU_APP_ID = "cli_test"
    settings.FEISHU_APP_SECRET = "feishu-secret"
    settings.FEISHU_API_BASE = sink.url("/feishu/open-apis")
    settings.DINGTALK_APP_KEY = "dingkey"
    settings.DINGTALK_APP_SECRET = "ding-secret"
    settings.DINGTALK_ROBOT_CODE = ""
    settings.DINGTALK_API_BASE = sink.url("/dingtalk")
    settings.WECOM_CORP_ID = "ww-corp"
    settings.WECOM_AGENT_SECRET = "agent-secret"
    settings.WECOM_AGENT_ID = "1000002"
    settings.WECOM_API_BASE = sink.url("/wecom/cgi-bin")
    answers = {
        "/feishu/open-apis/auth/v3/tenant_access_token/internal": {
            "code": 0,
            "tenant_access_token": "t-feishu",
            "expire": 7200,
        },
        "/feishu/open-apis/im/v1/messages": {
            "code": 0,
            "data": {"message_id": feishu_message_id},
        },
        "/dingtalk/v1.0/oauth2/accessToken": {"accessToken": "t-dingtalk", "expireIn": 7200},
        "/dingtalk/v1.0/robot/oToMessages/batchSend": {
            "processQueryKey": "pqk-1",
            "invalidStaffIdList": [],
        },
        "/wecom/cgi-bin/gettoken": {"errcode": 0, "access_token": "t-wecom", "expires_in": 7200},
        "/wecom/cgi-bin/message/send": {
            "errcode": 0,
            "errmsg": "ok",
            "msgid": "msg-1",
            "invaliduser": "",
        },
        "/slack/chat.postMessage": {"ok": True, "channel": "D024BE91L", "ts": "1700000000.000100"},
    }
    for path, body in answers.items():
        sink.answer(path, Answer(body=body))
    return sink
