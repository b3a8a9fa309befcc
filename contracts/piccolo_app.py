import os

from piccolo.conf.apps import AppConfig, table_finder

CURRENT_DIRECTORY = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="contracts",
    migrations_folder_path=os.path.join(CURRENT_DIRECTORY, "piccolo_migrations"),
    table_classes=table_finder(
        modules=[
            "contracts.lifecycle.tables",
            "contracts.changes.tables",
            "contracts.delivery.tables",
            "contracts.documents.tables",
            "contracts.staffing.tables",
            "contracts.assessments.tables",
            "contracts.payments.tables",
        ],
        exclude_imported=True,
    ),
    migration_dependencies=["procurement.piccolo_app"],
    commands=[],
)
