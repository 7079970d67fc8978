"""The editor's settings: initializationOptions, then workspace/configuration (re-pulled on change).

plumber.toml comes under both (the engine merges it per file).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from lsprotocol import types as T

from plumber.core.settings import Problem, Settings, parse_settings

if TYPE_CHECKING:
    from plumber.lsp.server import PlumberServer

log = logging.getLogger("plumber.server")

CONFIG_SECTION = "plumber"
CONFIG_WAIT_S = 5.0


class EditorSettings:
    def __init__(self, server: PlumberServer):
        self.server = server
        self.init_settings = Settings()
        self.client_settings = Settings()
        self.init_warnings: list[Problem] = []
        self._shown_warning = False

    @property
    def known_codes(self) -> set[str]:
        return set(self.server.engine.by_code)

    @property
    def editor_settings(self) -> Settings:
        """initializationOptions overridden by workspace/configuration (plumber.toml comes under both)."""
        return self.init_settings.merged(self.client_settings)

    def from_initialize(self, options: Any) -> None:
        self.init_settings, self.init_warnings = parse_settings(options, "initializationOptions", self.known_codes)

    def warn(self, warnings: Sequence[Problem]) -> None:
        server = self.server
        for w in warnings:
            server.log_to_client(str(w), T.MessageType.Warning)
        if warnings and not self._shown_warning:
            self._shown_warning = True
            more = f" (and {len(warnings) - 1} more; see the log)" if len(warnings) > 1 else ""
            server.window_show_message(
                T.ShowMessageParams(
                    type=T.MessageType.Warning, message=f"plumber: bad settings ignored: {warnings[0]}{more}"
                )
            )

    async def pull(self) -> None:
        server = self.server
        if not server.capability("workspace.configuration", False):
            return
        try:
            result = await asyncio.wait_for(
                server.workspace_configuration_async(
                    T.ConfigurationParams(items=[T.ConfigurationItem(section=CONFIG_SECTION)])
                ),
                CONFIG_WAIT_S,
            )
        except Exception as e:  # a client that answers badly or not at all keeps the old settings
            log.warning("workspace/configuration failed: %r", e)
            return
        value = result[0] if isinstance(result, (list, tuple)) and result else None
        self.set_client(value, "workspace/configuration (plumber)")
        log.info("settings from workspace/configuration: %s", value)

    def set_client(self, value: Any, origin: str) -> None:
        settings, warnings = parse_settings(value, origin, self.known_codes)
        self.client_settings = settings
        self.warn(warnings)
