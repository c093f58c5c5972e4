"""What every model module shares: the enum column type."""

from __future__ import annotations

import enum

from sqlalchemy import Enum


def enum_column(cls: type[enum.Enum]) -> Enum:
    # Stored as plain strings (no native PostgreSQL enum) so adding a value needs no migration.
    return Enum(
        cls,
        native_enum=False,
        length=32,
        validate_strings=True,
        values_callable=lambda members: [m.value for m in members],
    )
