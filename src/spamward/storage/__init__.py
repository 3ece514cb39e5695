"""Storage: SQLAlchemy 2 models, narrow repository functions (the project in every
signature) and Alembic migrations. Reached from services only."""
