"""Data access: schemas, dataset location/download/verification, loading, session format."""

from ilaeda.data.loading import dataset_path, load_table, read_tsv
from ilaeda.data.references import load_references
from ilaeda.data.schema import DataFile, Schema, available_schemas, load_schema
from ilaeda.data.sessions import (
    AGG_FUNCS,
    OPERATORS,
    Action,
    Back,
    Filter,
    Group,
    Session,
    Stop,
    load_sessions,
    render_action,
    render_session,
)

__all__ = [
    "AGG_FUNCS",
    "OPERATORS",
    "Action",
    "Back",
    "DataFile",
    "Filter",
    "Group",
    "Schema",
    "Session",
    "Stop",
    "available_schemas",
    "dataset_path",
    "load_references",
    "load_schema",
    "load_sessions",
    "load_table",
    "read_tsv",
    "render_action",
    "render_session",
]
