"""The writeback targets a deployment has: each CRM whose credentials are set.

An account is written back to a CRM only when its id is that CRM's record id (the
default sync mappings key accounts by the CRM's own id: HubSpot company ids are
digits, Salesforce Account ids 15 or 18 characters starting ``001``); accounts from a
contract import or another source are left alone rather than refused by the CRM.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.settings import Settings
from bot.sources.writeback.mapping import load_writeback_mapping
from bot.sources.writeback.run import WritebackTarget

HUBSPOT_ID = re.compile(r"^[0-9]{1,20}$")
SALESFORCE_ACCOUNT_ID = re.compile(r"^001[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?$")


def _matching(pattern: re.Pattern[str]) -> Callable[[str], str | None]:
    def record_id(account_id: str) -> str | None:
        return account_id if pattern.match(account_id) else None

    return record_id


def configured_crms(settings: Settings) -> list[str]:
    """The CRMs writeback would write to, in a fixed order."""
    from bot.sources.sync.registry import SOURCES, is_configured

    return [
        crm for crm in ("salesforce", "hubspot") if crm in SOURCES and is_configured(crm, settings)
    ]


def build_target(crm: str, settings: Settings) -> WritebackTarget:
    mapping = load_writeback_mapping(crm, settings.sync_mapping_dir)
    if crm == "hubspot":
        from bot.sources.hubspot.connector import build_api
        from bot.sources.hubspot.writeback import HubSpotWriteback

        return HubSpotWriteback(
            api=build_api(settings), fields=mapping.fields, record_ids=_matching(HUBSPOT_ID)
        )
    if crm == "salesforce":
        from bot.sources.writeback.salesforce import SalesforceWriteback

        return SalesforceWriteback.from_settings(
            settings, mapping, record_ids=_matching(SALESFORCE_ACCOUNT_ID)
        )
    raise ValueError(f"no writeback for {crm!r}")
