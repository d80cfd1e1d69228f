"""SQL persistence: SQLAlchemy 2 Core tables, repositories, unit of work, audit log, migrations."""
