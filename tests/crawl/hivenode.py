"""A stub Hive API node on 127.0.0.1 for `lytt podping` tests: it speaks the JSON-RPC 2.0 calls a follower
makes (`condenser_api.get_dynamic_global_properties`, `block_api.get_block_range`) over the blocks a test
gives it, and can fail on request."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def custom_json(op_id: str, payload: Any, *, condenser: bool = False) -> Any:
    value = {
        "required_auths": [],
        "required_posting_auths": ["podping.test"],
        "id": op_id,
        "json": payload if isinstance(payload, str) else json.dumps(payload),
    }
    return ["custom_json", value] if condenser else {"type": "custom_json_operation", "value": value}


def block(*operations: Any) -> dict[str, Any]:
    return {"timestamp": "2026-12-07T12:00:00", "transactions": [{"operations": list(operations)}]}


class HiveNode:
    def __init__(self, blocks: dict[int, dict[str, Any]], head: int) -> None:
        self.blocks = blocks
        self.head = head
        self.fail = False
        self.failures_left = 0  # fail this many calls, then answer
        self.calls: list[tuple[str, Any]] = []
        node = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                node.calls.append((request["method"], request["params"]))
                failing = node.fail or node.failures_left > 0
                node.failures_left = max(0, node.failures_left - 1)
                if failing:
                    body = {
                        "jsonrpc": "2.0",
                        "id": request["id"],
                        "error": {"code": -32000, "message": "down"},
                    }
                else:
                    body = {"jsonrpc": "2.0", "id": request["id"], "result": node.answer(request)}
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def answer(self, request: dict[str, Any]) -> Any:
        if request["method"] == "condenser_api.get_dynamic_global_properties":
            return {"head_block_number": self.head, "last_irreversible_block_num": self.head - 20}
        if request["method"] == "block_api.get_block_range":
            start, count = request["params"]["starting_block_num"], request["params"]["count"]
            numbers = range(start, min(start + count, self.head + 1))
            return {"blocks": [self.blocks.get(n, block()) for n in numbers]}
        raise AssertionError(request["method"])

    def __enter__(self) -> HiveNode:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
