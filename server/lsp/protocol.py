"""pygls' protocol with our own text synchronisation (no pygls TextDocument copies) and utf-8 preferred.

Every request gets an answer: after `shutdown`, InvalidRequest (pygls drops them
silently); a `UserError` from a handler (a missing profile, a bad argument) is
answered with its one-line message and logged as one line, not a traceback.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import attrs
from lsprotocol import types as T
from pygls.exceptions import JsonRpcException, JsonRpcInvalidRequest
from pygls.protocol import LanguageServerProtocol, lsp_method

if TYPE_CHECKING:
    from plumber.lsp.server import PlumberServer


log = logging.getLogger("plumber.server")


class UserError(JsonRpcException):
    """A request the user got wrong: answered with its message, logged in one line."""

    CODE = -32602  # InvalidParams


class PlumberProtocol(LanguageServerProtocol):
    _server: PlumberServer
    # the id of the `initialize` request `fastinit` answered before the server started: its own
    # answer is not sent again
    preanswered: int | str | None = None

    def _send_response(self, msg_id, result=None, error=None):
        if msg_id is not None and msg_id == self.preanswered:
            self.preanswered = None
            if error is not None:
                log.error("initialize, answered early, failed in the server: %s", error)
            return
        super()._send_response(msg_id, result, error)

    def handle_message(self, message: Any) -> None:
        if self._shutdown and getattr(message, "method", None) not in (None, T.EXIT) and hasattr(message, "id"):
            self._send_response(
                message.id, error=JsonRpcInvalidRequest(f"{message.method} after shutdown").to_response_error()
            )
            return
        super().handle_message(message)

    def _send_handler_result(self, future, *, msg_id) -> None:
        error = future.exception() if future.done() and not future.cancelled() else None
        if isinstance(error, UserError):
            self._request_futures.pop(msg_id, None)
            log.info("request %s refused: %s", msg_id, error.message)
            self._send_response(msg_id, error=error.to_response_error())
            return
        super()._send_handler_result(future, msg_id=msg_id)

    @lsp_method(T.INITIALIZE)
    def lsp_initialize(self, params: T.InitializeParams):
        # Prefer utf-8 whenever the client offers it (as ruff does), else utf-16, the LSP default.
        caps = params.capabilities
        offered = list((caps.general.position_encodings if caps.general else None) or [])
        chosen = T.PositionEncodingKind.Utf8 if any(e == "utf-8" for e in offered) else T.PositionEncodingKind.Utf16
        general = caps.general or T.GeneralClientCapabilities()
        params.capabilities = attrs.evolve(caps, general=attrs.evolve(general, position_encodings=[chosen]))
        return (yield from super().lsp_initialize(params))

    @lsp_method(T.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: T.DidOpenTextDocumentParams) -> None:
        self._server.did_open(params)

    @lsp_method(T.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: T.DidChangeTextDocumentParams) -> None:
        self._server.did_change(params)

    @lsp_method(T.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params: T.DidCloseTextDocumentParams) -> None:
        self._server.did_close(params)
