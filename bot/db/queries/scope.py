"""Which accounts a query may see, as a plain value the db layer understands.

Permissions are decided in :mod:`bot.services.accounts.viewers`; the queries only apply
the result, so a forgotten check cannot widen what a viewer sees.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Select, false

from bot.db.models import Account

SelectT = TypeVar("SelectT", bound=Select[Any])


@dataclass(frozen=True, slots=True)
class AccountScope:
    """The books (CSM ids) visible to a query; ``csm_ids=None`` means every account."""

    csm_ids: frozenset[str] | None = None

    @classmethod
    def everything(cls) -> AccountScope:
        return cls(None)

    @classmethod
    def books(cls, csm_ids: set[str] | frozenset[str]) -> AccountScope:
        return cls(frozenset(csm_ids))

    @property
    def is_everything(self) -> bool:
        return self.csm_ids is None

    def narrowed_to(self, other: AccountScope) -> AccountScope:
        """The accounts both scopes allow (a request can only shrink a permission)."""
        if self.csm_ids is None:
            return other
        if other.csm_ids is None:
            return self
        return AccountScope(self.csm_ids & other.csm_ids)

    def allows_csm(self, csm_id: str | None) -> bool:
        if self.csm_ids is None:
            return True
        return csm_id is not None and csm_id in self.csm_ids


def apply_account_scope(statement: SelectT, scope: AccountScope) -> SelectT:
    """Restrict a statement that already selects from ``accounts`` to the scope's books."""
    if scope.csm_ids is None:
        return statement
    if not scope.csm_ids:
        return statement.where(false())
    return statement.where(Account.csm_id.in_(sorted(scope.csm_ids)))
