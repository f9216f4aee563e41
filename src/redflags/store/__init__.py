"""The versioned local store of list entities (DuckDB) and the bundled default snapshot."""

from redflags.store.catalog import Catalog, ListInfo, open_catalog
from redflags.store.duck import ImportReport, Store, VersionDiff

__all__ = ["Catalog", "ImportReport", "ListInfo", "Store", "VersionDiff", "open_catalog"]
