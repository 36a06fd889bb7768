"""What every part stands on: settings, the database, errors, Thai IDs, dates and language."""
