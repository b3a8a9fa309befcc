import os

from piccolo.conf.apps import AppConfig, table_finder

CURRENT_DIRECTORY = os.path.dirname(os.path.abspath(__file__))

# Each sub-domain keeps its tables in its own tables.py; core's tables import none of them.
TABLE_MODULES = [
    "procurement.core.tables",
    "procurement.accounts.tables",
    "procurement.catalogue.tables",
    "procurement.tenders.tables",
    "procurement.bids.tables",
    "procurement.evaluation.tables",
    "procurement.awards.tables",
]

APP_CONFIG = AppConfig(
    app_name="procurement",
    migrations_folder_path=os.path.join(CURRENT_DIRECTORY, "piccolo_migrations"),
    table_classes=table_finder(modules=TABLE_MODULES, exclude_imported=True),
    migration_dependencies=[],
    commands=[],
)
