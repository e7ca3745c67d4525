"""Producers' inputs: the Calgary portal CSV, other cities' CSVs, the portal download, synthetic data."""

from .base import Loaded, SourceError
from .calgary import read_calgary
from .mapped import ColumnMapping, read_mapped
from .socrata import download
from .synthetic import generate

__all__ = [
    "ColumnMapping",
    "Loaded",
    "SourceError",
    "download",
    "generate",
    "read_calgary",
    "read_mapped",
]
