"""Reading the writers' files as the build reads them (shared by check, new, calendar)."""
